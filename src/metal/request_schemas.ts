/**
 * zod schemas of the request bodies we send (OpenAPI `DeviceCreateInMetroInput`, `DeviceUpdateInput`,
 * `DeviceActionInput`, `SSHKeyCreateInput`, `SSHKeyInput`, `CapacityInput`). They are strict: an unknown key is a
 * typo that would otherwise be dropped silently by the API, so it is rejected before anything is sent.
 */
import { z } from "zod";
import { MetalInputError } from "./errors.ts";
import { isUuid } from "../runtime/uuid.ts";

const uuid = z.string().refine(isUuid, { message: "must be a UUID" });
const nonEmpty = z.string().min(1, { message: "must not be empty" });
const stringList = z.array(z.string());

export const BILLING_CYCLES = ["hourly", "daily", "monthly", "yearly"] as const;
export const DEVICE_ACTIONS = ["power_on", "power_off", "reboot", "rescue", "reinstall"] as const;

const SshKeyInputSchema = z.strictObject({
  label: z.string().optional(),
  key: z.string().optional(),
  tags: stringList.optional(),
});

const IpAddressInputSchema = z.strictObject({
  address_family: z.union([z.literal(4), z.literal(6)]),
  public: z.boolean().optional(),
  cidr: z.number().int().optional(),
  ip_reservations: stringList.optional(),
});

const StorageSchema = z.strictObject({
  disks: z.array(z.record(z.string(), z.unknown())).optional(),
  raid: z.array(z.record(z.string(), z.unknown())).optional(),
  filesystems: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** `""` (none), a reservation UUID, or `next-available`. */
const hardwareReservationId = z.string().refine((v) => v === "" || v === "next-available" || isUuid(v), {
  message: 'must be a UUID or "next-available"',
});

const deviceCreateFields = {
  plan: nonEmpty,
  operating_system: nonEmpty,
  hostname: z.string().optional(),
  description: z.string().optional(),
  billing_cycle: z.enum(BILLING_CYCLES).optional(),
  userdata: z.string().optional(),
  customdata: z.record(z.string(), z.unknown()).optional(),
  tags: stringList.optional(),
  ipxe_script_url: z.string().optional(),
  always_pxe: z.boolean().optional(),
  hardware_reservation_id: hardwareReservationId.optional(),
  locked: z.boolean().optional(),
  project_ssh_keys: z.array(uuid).optional(),
  user_ssh_keys: z.array(uuid).optional(),
  ssh_keys: z.array(SshKeyInputSchema).optional(),
  no_ssh_keys: z.boolean().optional(),
  ip_addresses: z.array(IpAddressInputSchema).optional()
    .refine((v) => v === undefined || v.some((a) => a.address_family === 4 && a.public === false), {
      message: "must contain a private IPv4 entry ({address_family: 4, public: false})",
    }),
  public_ipv4_subnet_size: z.number().int().optional(),
  private_ipv4_subnet_size: z.number().int().optional(),
  spot_instance: z.boolean().optional(),
  spot_price_max: z.number().optional(),
  termination_time: z.iso.datetime({ offset: true }).optional(),
  features: stringList.optional(),
  storage: StorageSchema.optional(),
  network_frozen: z.boolean().optional(),
};

/** `DeviceCreateInMetroInput`: the way to create a device. */
export const DeviceCreateInMetroInputSchema = z.strictObject({ metro: nonEmpty, ...deviceCreateFields });

/** `DeviceCreateInFacilityInput` (deprecated by Equinix; kept for old organisations). */
export const DeviceCreateInFacilityInputSchema = z.strictObject({
  facility: z.union([nonEmpty, z.array(nonEmpty).min(1, { message: "must not be empty" })]),
  ...deviceCreateFields,
});

export const DeviceUpdateInputSchema = z.strictObject({
  always_pxe: z.boolean().optional(),
  billing_cycle: z.enum(BILLING_CYCLES).optional(),
  customdata: z.record(z.string(), z.unknown()).optional(),
  description: z.string().optional(),
  hostname: z.string().optional(),
  firmware_set_id: z.string().optional(),
  ipxe_script_url: z.string().optional(),
  locked: z.boolean().optional(),
  network_frozen: z.boolean().optional(),
  spot_instance: z.boolean().optional(),
  tags: stringList.optional(),
  userdata: z.string().optional(),
});

export const DeviceActionInputSchema = z.strictObject({
  type: z.enum(DEVICE_ACTIONS),
  force_delete: z.boolean().optional(),
  deprovision_fast: z.boolean().optional(),
  preserve_data: z.boolean().optional(),
  operating_system: z.string().optional(),
  ipxe_script_url: z.string().optional(),
});

export const SshKeyCreateInputSchema = z.strictObject({
  label: nonEmpty,
  key: nonEmpty,
  tags: stringList.optional(),
  instances_ids: z.array(uuid).optional(),
});

export const SshKeyUpdateInputSchema = z.strictObject({
  label: nonEmpty.optional(),
  key: nonEmpty.optional(),
  tags: stringList.optional(),
});

export const CapacityCheckInputSchema = z.array(z.strictObject({
  metro: nonEmpty,
  plan: nonEmpty,
  quantity: z.number().int().min(1),
})).min(1, { message: "must list at least one server" });

function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * Validates a request body; the first problem becomes a MetalInputError naming the field. Values are never quoted
 * in the message (the body may carry user data).
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, operation: string, root: string) {
  const r = schema.safeParse(value);
  if (r.success) return r.data as z.output<S>;
  const issue = r.error.issues[0];
  const sub = issuePath(issue.path);
  let field = !sub ? root : sub.startsWith("[") ? `${root}${sub}` : `${root}.${sub}`;
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    field = `${field}.${issue.keys[0]}`;
    message = "is not a known field";
  }
  throw new MetalInputError(operation, field, message);
}
