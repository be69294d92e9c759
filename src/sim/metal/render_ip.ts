/**
 * IP assignments (addresses on devices) and IP reservations (blocks of a project). IPReservation is a closed field
 * set: the Go SDK rejects unknown keys, so nothing outside the spec's properties may appear.
 */
import { findMetro } from "./catalog.ts";
import { formatIpv4, formatIpv6, ipv4Netmask, ipv6Netmask } from "./ip_math.ts";
import { blockSize } from "./ip_pools.ts";
import type { Expansion } from "./query.ts";
import { API_PREFIX, excluded, facilityField, href, included, iso, renderMetro, renderProject } from "./render.ts";
import type { IpAssignmentRecord, IpReservationRecord, World } from "./world.ts";

/** Text form of an address of either family. */
export function formatAddress(family: 4 | 6, value: bigint): string {
  return family === 4 ? formatIpv4(Number(value)) : formatIpv6(value);
}

/** The dotted/colon netmask of a prefix. */
export function netmaskOf(family: 4 | 6, cidr: number): string {
  return family === 4 ? ipv4Netmask(cidr) : ipv6Netmask(cidr);
}

/** Gateway and host address of an assigned sub-block: /31 and /127 use both ends, /32 and /128 are one address. */
export function hostAndGateway(family: 4 | 6, network: bigint, cidr: number): { address: bigint; gateway: bigint } {
  const size = blockSize(family, cidr);
  if (size === 1n) return { address: network, gateway: network };
  if (size === 2n) return { address: network + 1n, gateway: network };
  return { address: network + 2n, gateway: network + 1n };
}

/** `parent_block` of an assignment: `{href}` unless included. */
function parentBlock(r: IpReservationRecord, e: Expansion): Record<string, unknown> {
  const link = `${API_PREFIX}/ips/${r.id}`;
  if (!included(e, "parent_block") || !r.block) return { href: link };
  return {
    network: formatAddress(r.block.family, r.block.network),
    netmask: netmaskOf(r.block.family, r.block.cidr),
    cidr: r.block.cidr,
    href: link,
  };
}

/** An IP assignment; `e` is the expansion as seen from the assignment (e.g. `parent_block`). */
export function renderAssignment(world: World, a: IpAssignmentRecord, e: Expansion): Record<string, unknown> {
  const r = world.ipReservations.get(a.reservationId)!;
  const { address, gateway } = hostAndGateway(a.family, a.network, a.cidr);
  const out: Record<string, unknown> = {
    id: a.id,
    href: `${API_PREFIX}/ips/${a.id}`,
    type: "IPAssignment",
    address_family: a.family,
    address: formatAddress(a.family, address),
    network: formatAddress(a.family, a.network),
    netmask: netmaskOf(a.family, a.cidr),
    gateway: formatAddress(a.family, gateway),
    cidr: a.cidr,
    public: a.public,
    management: a.management,
    manageable: true,
    enabled: true,
    global_ip: r.type === "global_ipv4",
    created_at: iso(a.createdAt),
    assigned_to: href(`/devices/${a.deviceId}`),
    parent_block: parentBlock(r, e),
  };
  if (r.metro) {
    out.metro = excluded(e, "metro")
      ? href(`/locations/metros/${findMetro(r.metro)!.id}`)
      : renderMetro(findMetro(r.metro)!);
  }
  return out;
}

/** An IP reservation (closed field set). `assignments` are `{href}` unless included. */
export function renderReservation(world: World, r: IpReservationRecord, e: Expansion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    href: `${API_PREFIX}/ips/${r.id}`,
    type: r.type,
    address_family: r.type === "public_ipv6" ? 6 : 4,
    public: r.type !== "private_ipv4",
    management: r.management,
    manageable: true,
    global_ip: r.type === "global_ipv4",
    addon: !r.management,
    bill: !r.management,
    enabled: r.state === "created",
    state: r.state,
    tags: [...r.tags],
    customdata: r.customdata,
    created_at: iso(r.createdAt),
    project: included(e, "project")
      ? renderProject(world, world.projects.get(r.projectId)!, { include: new Set(), exclude: new Set() })
      : href(`/projects/${r.projectId}`),
    project_lite: href(`/projects/${r.projectId}`),
    assignments: [...r.assignmentIds].map((id) =>
      included(e, "assignments")
        ? renderAssignment(world, world.ipAssignments.get(id)!, { include: new Set(), exclude: new Set() })
        : { href: `${API_PREFIX}/ips/${id}` }
    ),
  };
  if (r.details !== undefined) out.details = r.details;
  if (r.requestedByUserId) out.requested_by = href(`/users/${r.requestedByUserId}`);
  if (r.metro) {
    out.metro = excluded(e, "metro")
      ? href(`/locations/metros/${findMetro(r.metro)!.id}`)
      : renderMetro(findMetro(r.metro)!);
  }
  if (r.facility) out.facility = facilityField(r.facility, e);
  if (r.block) {
    const { family, network, cidr } = r.block;
    out.address = formatAddress(family, network);
    out.network = formatAddress(family, network);
    out.netmask = netmaskOf(family, cidr);
    out.gateway = formatAddress(family, cidr >= (family === 4 ? 31 : 127) ? network : network + 1n);
    out.cidr = cidr;
  }
  return out;
}
