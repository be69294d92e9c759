/**
 * Finding the devices that belong to a machine or to a MachineClass's cluster role. A device belongs to the role when
 * it carries both the cluster tag and the role tag exactly (tags are opaque strings); it belongs to a machine when,
 * in addition, its hostname equals the machine name. Devices being deleted are skipped: they are on their way out
 * and must neither be adopted nor deleted again.
 */
import type { Device } from "../../metal/types.ts";
import type { MetalClient } from "../../metal/client.ts";
import type { OwnershipSpec } from "./provider_spec.ts";

/** States of devices that are being deleted or are gone. */
export const DEPARTING_STATES: ReadonlySet<string> = new Set(["deprovisioning", "deleted"]);

/** True if the device carries both ownership tags exactly. */
export function hasOwnershipTags(device: Device, owner: OwnershipSpec): boolean {
  const tags = device.tags ?? [];
  return tags.includes(owner.clusterTag) && tags.includes(owner.roleTag);
}

/** True if the device is being deleted or gone. */
export function isDeparting(device: Device): boolean {
  return device.state !== undefined && device.state !== null && DEPARTING_STATES.has(device.state);
}

/**
 * True if a create may adopt the device as the machine's: not one that failed provisioning (it never becomes usable;
 * the machine gets a new device instead).
 */
export function isAdoptable(device: Device): boolean {
  return device.state !== "failed";
}

/**
 * The one device a machine keeps when several match it (a create repeated while the first was not yet visible):
 * the one its providerID names, else an active one, else the oldest; ties by id. Deterministic, so every caller
 * (a controller restarted, a CMI retry) keeps the same device and deletes the same extras. Undefined for none.
 */
export function chooseMachineDevice(devices: Device[], providerDeviceId?: string): Device | undefined {
  const rank = (d: Device) => [
    providerDeviceId !== undefined && d.id.toLowerCase() === providerDeviceId.toLowerCase() ? 0 : 1,
    d.state === "active" ? 0 : 1,
  ];
  const created = (d: Device) => Date.parse(d.created_at ?? "") || Number.MAX_SAFE_INTEGER;
  return [...devices].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || created(a) - created(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  })[0];
}

/** The devices of the role, excluding departing ones (pure; applied to a server-side filtered list). */
export function selectRoleDevices(devices: Device[], owner: OwnershipSpec): Device[] {
  return devices.filter((d) => hasOwnershipTags(d, owner) && !isDeparting(d));
}

/** The devices of one machine among a list (exact hostname; the API's hostname filter is a substring match). */
export function selectMachineDevices(devices: Device[], owner: OwnershipSpec, machineName: string): Device[] {
  return selectRoleDevices(devices, owner).filter((d) => d.hostname === machineName);
}

/**
 * Nested objects a role listing never reads (it needs id, hostname, tags, state and the metro code). The API then
 * sends `{href}` stubs, and each device of the listing is about a third smaller.
 */
export const ROLE_LISTING_EXCLUDES = [
  "ip_addresses",
  "plan",
  "operating_system",
  "facility",
  "project",
  "ssh_keys",
  "network_ports",
  "volumes",
  "provisioning_events",
];

/**
 * Page size of a role listing: a page is parsed in one piece (its text, its JSON and its validated copy live at the
 * same time, user data included). At 1,000 machines, pages of 1,000 raised the machine controller's peak by ~15 MB,
 * pages of 250 by ~8 MB; pages of 100 keep it at its steady level, for ten requests per orphan collection (every 15
 * minutes, and coalesced during deletions).
 */
export const ROLE_LISTING_PAGE_SIZE = 100;

/** What a role listing keeps of a device: enough for ListMachines (provider ID and machine name). */
export interface RoleDevice {
  id: string;
  hostname?: string | null;
  metroCode?: string;
}

/**
 * Every device of the role, all pages (`perPage` each), filtered server-side by cluster tag. Only a few fields of each
 * device are kept while the pages are read, so a large project costs one page of memory, not the whole listing.
 */
export async function listRoleDevices(
  client: MetalClient,
  owner: OwnershipSpec,
  signal?: AbortSignal,
  perPage = ROLE_LISTING_PAGE_SIZE,
): Promise<RoleDevice[]> {
  const out: RoleDevice[] = [];
  const pages = client.devices.pagesByProject(owner.projectID, {
    tag: owner.clusterTag,
    exclude: ROLE_LISTING_EXCLUDES,
    signal,
    perPage,
  });
  for await (const page of pages) {
    for (const d of selectRoleDevices(page, owner)) {
      out.push({ id: d.id, hostname: d.hostname, metroCode: d.metro?.code ?? undefined });
    }
  }
  return out;
}

/** The devices of one machine, all pages, filtered server-side by the cluster tag and the hostname. */
export async function findMachineDevices(
  client: MetalClient,
  owner: OwnershipSpec,
  machineName: string,
  signal?: AbortSignal,
  perPage?: number,
): Promise<Device[]> {
  const devices = await client.devices.listByProject(owner.projectID, {
    tag: owner.clusterTag,
    hostname: machineName,
    signal,
    perPage,
  });
  return selectMachineDevices(devices, owner, machineName);
}
