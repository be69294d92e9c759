/**
 * TypeScript types of the Metal API objects the client reads and the request bodies it sends, derived from the zod
 * schemas so that the types and the runtime checks cannot drift apart. Field names are the API's (snake_case).
 */
import type { z } from "zod";
import type {
  CapacityLevelSchema,
  DeviceSchema,
  DeviceStateSchema,
  FacilitySchema,
  HardwareReservationSchema,
  IpAssignmentSchema,
  MetaSchema,
  MetroSchema,
  OperatingSystemSchema,
  ParentBlockSchema,
  PlanSchema,
  SshKeySchema,
} from "./schemas.ts";
import type {
  BILLING_CYCLES,
  DEVICE_ACTIONS,
  DeviceActionInputSchema,
  DeviceCreateInFacilityInputSchema,
  DeviceCreateInMetroInputSchema,
  DeviceUpdateInputSchema,
  SshKeyCreateInputSchema,
  SshKeyUpdateInputSchema,
} from "./request_schemas.ts";

export { DEVICE_STATES } from "./schemas.ts";

/** queued, provisioning, deprovisioning, reinstalling, active, inactive, failed, powering_on, powering_off, deleted. */
export type DeviceState = z.output<typeof DeviceStateSchema>;
/** A device (`GET /devices/{id}`); nested objects are `{href}` stubs unless included. */
export type Device = z.output<typeof DeviceSchema>;
/** One address of a device (`device.ip_addresses[]`). */
export type IpAssignment = z.output<typeof IpAssignmentSchema>;
/** The block a device address was carved from (`include=ip_addresses.parent_block`). */
export type ParentBlock = z.output<typeof ParentBlockSchema>;
export type SshKey = z.output<typeof SshKeySchema>;
export type HardwareReservation = z.output<typeof HardwareReservationSchema>;
export type Metro = z.output<typeof MetroSchema>;
export type Facility = z.output<typeof FacilitySchema>;
export type Plan = z.output<typeof PlanSchema>;
export type OperatingSystem = z.output<typeof OperatingSystemSchema>;
/** Pagination metadata of list responses. */
export type Meta = z.output<typeof MetaSchema>;
/** Capacity of one plan in one metro. */
export type CapacityLevel = z.output<typeof CapacityLevelSchema>;
/** metro code → plan slug → capacity level. */
export type CapacityReport = Record<string, Record<string, CapacityLevel>>;

export type BillingCycle = typeof BILLING_CYCLES[number];
export type DeviceActionType = typeof DEVICE_ACTIONS[number];

/** Body of `POST /projects/{id}/devices` in a metro (`DeviceCreateInMetroInput`). */
export type DeviceCreateInMetroInput = z.input<typeof DeviceCreateInMetroInputSchema>;
/** Body of `POST /projects/{id}/devices` in facilities (`DeviceCreateInFacilityInput`; deprecated by Equinix). */
export type DeviceCreateInFacilityInput = z.input<typeof DeviceCreateInFacilityInputSchema>;
/** Exactly one of `metro` or `facility`, plus `plan`, `operating_system` and optional settings. */
export type DeviceCreateInput = DeviceCreateInMetroInput | DeviceCreateInFacilityInput;
/** Body of `PUT /devices/{id}`. */
export type DeviceUpdateInput = z.input<typeof DeviceUpdateInputSchema>;
/** Body of `POST /devices/{id}/actions`. */
export type DeviceActionInput = z.input<typeof DeviceActionInputSchema>;
/** Body of `POST /projects/{id}/ssh-keys` (`label` and `key` required). */
export type SshKeyCreateInput = z.input<typeof SshKeyCreateInputSchema>;
/** Body of `PUT /ssh-keys/{id}`. */
export type SshKeyUpdateInput = z.input<typeof SshKeyUpdateInputSchema>;

/** One entry of a capacity check. */
export interface CapacityCheckRequest {
  metro: string;
  plan: string;
  quantity: number;
}

/** The answer for one entry of a capacity check. */
export interface CapacityCheckResult extends CapacityCheckRequest {
  available: boolean;
}
