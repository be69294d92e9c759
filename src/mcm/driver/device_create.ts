/**
 * Creating the device of a machine: the ordered list of placements to try (pure), and the loop that tries them.
 *
 * Placement rules:
 * 1. Each `reservationIDs` entry in order (a UUID or `next-available`), in the metro: the reservation decides the
 *    facility. A reservation that is busy, being freed, of another plan/metro or unknown is skipped, as is
 *    `next-available` when none is free.
 * 2. Unless `reservedDevicesOnly`: on demand, **without** any reservation id (upstream re-sent the last reservation id
 *    here). With `facilities`, one facility per request: the first is picked by a hash of the machine name (so a
 *    pool spreads over the facilities and a retry picks the same one), the others follow in list order and are tried
 *    when the previous one has no capacity. Without `facilities`, the metro. Organisations created after Equinix
 *    deprecated facilities get "The 'facility' parameter is not supported": the driver then places in the metro.
 * 3. Nothing left: ResourceExhausted naming everything tried.
 *
 * A class without `sshKeys` gets a device without SSH keys (`no_ssh_keys`), never Metal's default of every key.
 *
 * A POST is never sent twice by the client. When one fails in a way that may have created the device (no answer: a
 * timeout, a lost response, a gateway error, the caller giving up), or with a 5xx, the device is looked up once
 * (hostname + ownership tags) and adopted if visible. If it is not, the create ends Unavailable and the driver sends
 * no new POST for the machine until the first one has had time to become visible (`createVisibilityWindowMs`): the
 * API may still be committing it, and a lookup moments later would not see it.
 */
import type { MetalClient } from "../../metal/client.ts";
import type { Device, DeviceCreateInput } from "../../metal/types.ts";
import {
  MetalCapacityExhaustedError,
  MetalInvalidError,
  MetalNetworkError,
  MetalReservationUnavailableError,
  MetalServerError,
  MetalTimeoutError,
} from "../../metal/errors.ts";
import {
  type EquinixMetalProviderSpec,
  NEXT_AVAILABLE,
  operatingSystemOf,
  type OwnershipSpec,
} from "./provider_spec.ts";
import { findMachineDevices, isAdoptable } from "./device_lookup.ts";
import { machineError, metalErrorCode, toMachineError } from "./error_codes.ts";

/** One way to place the device. */
export type Placement =
  | { kind: "reservation"; reservationId: string }
  | { kind: "facility"; facility: string }
  | { kind: "metro" };

/** FNV-1a, 32 bit: a stable, well-spread hash of the machine name. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The placements to try, in order (rules 1 and 2 above). */
export function planPlacements(spec: EquinixMetalProviderSpec, machineName: string): Placement[] {
  const out: Placement[] = (spec.reservationIDs ?? []).map((reservationId) => ({ kind: "reservation", reservationId }));
  if (spec.reservedDevicesOnly) return out;
  const facilities = [...new Set(spec.facilities ?? [])];
  if (facilities.length === 0) {
    out.push({ kind: "metro" });
  } else {
    const first = nameHash(machineName) % facilities.length;
    for (let i = 0; i < facilities.length; i++) {
      out.push({ kind: "facility", facility: facilities[(first + i) % facilities.length] });
    }
  }
  return out;
}

/**
 * The SSH key fields of a create: the class's project keys, or `no_ssh_keys` when it lists none. Metal installs every
 * project key and every organisation member's key on a device created with no key list and without `no_ssh_keys`
 * (another shoot's key among them).
 */
export function sshKeysInput(
  sshKeys: string[] | undefined,
): Pick<DeviceCreateInput, "project_ssh_keys" | "no_ssh_keys"> {
  return sshKeys && sshKeys.length > 0 ? { project_ssh_keys: [...sshKeys] } : { no_ssh_keys: true };
}

/** The request body for one placement (pure). */
export function createInput(
  spec: EquinixMetalProviderSpec,
  machineName: string,
  userData: string,
  placement: Placement,
): DeviceCreateInput {
  const common = {
    hostname: machineName,
    plan: spec.machineType ?? "",
    operating_system: operatingSystemOf(spec),
    billing_cycle: spec.billingCycle as "hourly" | "daily" | "monthly" | "yearly",
    userdata: userData,
    tags: [...(spec.tags ?? [])],
    ...(spec.ipxeScriptUrl ? { ipxe_script_url: spec.ipxeScriptUrl } : {}),
    ...sshKeysInput(spec.sshKeys),
  };
  switch (placement.kind) {
    case "reservation":
      return { metro: spec.metro ?? "", ...common, hardware_reservation_id: placement.reservationId };
    case "facility":
      return { facility: placement.facility, ...common };
    case "metro":
      return { metro: spec.metro ?? "", ...common };
  }
}

function describePlacement(p: Placement, spec: EquinixMetalProviderSpec): string {
  switch (p.kind) {
    case "reservation":
      return p.reservationId === NEXT_AVAILABLE ? "next-available reservation" : `reservation ${p.reservationId}`;
    case "facility":
      return `on demand in facility ${p.facility}`;
    case "metro":
      return `on demand in metro ${spec.metro}`;
  }
}

const FACILITY_NOT_SUPPORTED = /'facility' parameter is not supported/i;

/** The organisation may not use `facility` any more (Equinix disabled it for new organisations in 2023). */
export function facilityNotSupported(err: unknown): boolean {
  return err instanceof MetalInvalidError && FACILITY_NOT_SUPPORTED.test(err.messages.join(" "));
}

/** True when the failure concerns only this placement, so the next one may work. */
function skippable(err: unknown, p: Placement): boolean {
  if (p.kind === "reservation") {
    // 422s about the reservation itself (unknown, other plan, other location) concern only this reservation too.
    return err instanceof MetalReservationUnavailableError || err instanceof MetalCapacityExhaustedError ||
      (err instanceof MetalInvalidError && /hardware reservation/i.test(err.messages.join(" ")));
  }
  // Another facility may have capacity; the whole metro having none is final.
  return p.kind === "facility" && err instanceof MetalCapacityExhaustedError;
}

/**
 * True when a failed create may still have made the device: the request may have reached the API but no answer
 * came back (timeout, connection lost after sending, a gateway's 502/504, the caller giving up mid-request).
 */
export function createOutcomeUnknown(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (err instanceof MetalTimeoutError || err instanceof MetalNetworkError) return err.outcomeUnknown;
  return err instanceof MetalServerError && (err.status === 502 || err.status === 504);
}

export interface CreateDeviceParams {
  client: MetalClient;
  spec: EquinixMetalProviderSpec;
  owner: OwnershipSpec;
  machineName: string;
  userData: string;
  signal?: AbortSignal;
  /** Page size of the lookup after a failed POST (default: the client's). */
  perPage?: number;
  /** Told when a POST may have created the device without an answer (before the lookup). */
  onUncertain?: () => void;
  /** Told about every skipped placement (for logs). */
  onSkip?: (placement: string, reason: string) => void;
}

/** The machine's device if a lookup sees one now (undefined also when the lookup fails or was cancelled). */
async function lookAgain(p: CreateDeviceParams): Promise<Device | undefined> {
  if (p.signal?.aborted) return undefined;
  try {
    return (await findMachineDevices(p.client, p.owner, p.machineName, p.signal, p.perPage)).find(isAdoptable);
  } catch {
    return undefined;
  }
}

/** Creates the machine's device, trying the placements in order; throws a MachineError when none works. */
export async function createDevice(p: CreateDeviceParams): Promise<{ device: Device; placement: string }> {
  let queue = planPlacements(p.spec, p.machineName);
  const tried: string[] = [];
  while (queue.length) {
    const placement = queue.shift()!;
    const what = describePlacement(placement, p.spec);
    try {
      const device = await p.client.devices.create(
        p.owner.projectID,
        createInput(p.spec, p.machineName, p.userData, placement),
        { signal: p.signal },
      );
      return { device, placement: what };
    } catch (err) {
      const uncertain = createOutcomeUnknown(err, p.signal);
      if (uncertain) p.onUncertain?.();
      if (uncertain || metalErrorCode(err) === "Unavailable") {
        const found = await lookAgain(p);
        if (found) return { device: found, placement: `${what} (found after the create failed)` };
      }
      if (uncertain && !p.signal?.aborted) {
        const reason = err instanceof Error ? err.message : String(err);
        throw machineError(
          "Unavailable",
          `Could not create device for machine "${p.machineName}" (${what}): no answer (${reason}); the device may ` +
            "still appear, so no second one is created before it could have",
        );
      }
      if (!p.signal?.aborted && placement.kind === "facility" && facilityNotSupported(err)) {
        // Same request in the metro instead of every facility (the API refuses them all alike).
        const reason = err instanceof Error ? err.message : String(err);
        p.onSkip?.(what, reason);
        queue = [{ kind: "metro" }];
        continue;
      }
      if (!p.signal?.aborted && skippable(err, placement)) {
        const reason = err instanceof Error ? err.message : String(err);
        tried.push(`${what}: ${reason}`);
        p.onSkip?.(what, reason);
        continue;
      }
      throw toMachineError(`Could not create device for machine "${p.machineName}" (${what})`, err, p.signal);
    }
  }
  const onlyReserved = p.spec.reservedDevicesOnly
    ? "; reservedDevicesOnly is set, so no on-demand device is created"
    : "";
  throw machineError(
    "ResourceExhausted",
    `Could not create device for machine "${p.machineName}": no placement available (tried ${tried.join("; ")})` +
      onlyReserved,
  );
}
