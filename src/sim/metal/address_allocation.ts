/**
 * Allocation of addresses: project IP reservations (blocks) and the assignments devices get from them. A device's
 * private IPv4 /31 comes from a per-project, per-metro private /25 management block, its public IPv4 /31 is a
 * management block of its own, its IPv6 /127 comes from the project's /56 in that metro.
 */
import { ApiError, notValid, TEXT, unprocessable } from "./api_errors.ts";
import { type Block, SubAllocator } from "./ip_pools.ts";
import type { IpAssignmentRecord, IpReservationRecord, IpReservationType, ProjectRecord, World } from "./world.ts";

/** One requested device address (an entry of `ip_addresses`). */
export interface AddressRequest {
  family: 4 | 6;
  public: boolean;
  cidr: number;
  /** Reservations of the project to take the address from instead of the management pools. */
  reservationIds: string[];
}

/** The default `ip_addresses` of a device: public IPv4, private IPv4, public IPv6. */
export const DEFAULT_ADDRESS_REQUESTS: readonly AddressRequest[] = [
  { family: 4, public: true, cidr: 31, reservationIds: [] },
  { family: 4, public: false, cidr: 31, reservationIds: [] },
  { family: 6, public: true, cidr: 127, reservationIds: [] },
];

/** Creates a reservation record for an allocated block and attaches it to the project. */
export function addReservation(
  world: World,
  project: ProjectRecord,
  fields: {
    type: IpReservationType;
    block?: Block;
    cidr: number;
    metro?: string;
    facility?: string;
    management: boolean;
    state?: "created" | "pending";
    details?: string;
    tags?: string[];
    customdata?: Record<string, unknown>;
    requestedByUserId?: string;
  },
  now: number,
): IpReservationRecord {
  const r: IpReservationRecord = {
    id: world.newId(),
    projectId: project.id,
    type: fields.type,
    block: fields.block,
    cidr: fields.cidr,
    metro: fields.metro,
    facility: fields.facility,
    management: fields.management,
    state: fields.state ?? "created",
    details: fields.details,
    tags: fields.tags ?? [],
    customdata: fields.customdata ?? {},
    createdAt: now,
    allocator: fields.block ? new SubAllocator(fields.block) : undefined,
    assignmentIds: new Set(),
    requestedByUserId: fields.requestedByUserId,
  };
  world.ipReservations.set(r.id, r);
  project.ipReservationIds.add(r.id);
  return r;
}

function poolExhausted(): ApiError {
  return new ApiError(500, [TEXT.ohSnap]);
}

function privateBlockWithRoom(world: World, project: ProjectRecord, metro: string, cidr: number, now: number) {
  const blocks = project.managementBlocks.get(metro) ?? { private4: [] };
  project.managementBlocks.set(metro, blocks);
  for (const id of blocks.private4) {
    const r = world.ipReservations.get(id)!;
    const network = r.allocator!.allocate(cidr);
    if (network !== undefined) return { reservation: r, network };
  }
  const block = world.pools.private4.allocate(25);
  if (!block) throw poolExhausted();
  const r = addReservation(world, project, { type: "private_ipv4", block, cidr: 25, metro, management: true }, now);
  blocks.private4.push(r.id);
  return { reservation: r, network: r.allocator!.allocate(cidr)! };
}

function ipv6Block(world: World, project: ProjectRecord, metro: string, now: number): IpReservationRecord {
  const blocks = project.managementBlocks.get(metro) ?? { private4: [] };
  project.managementBlocks.set(metro, blocks);
  if (blocks.public6) return world.ipReservations.get(blocks.public6)!;
  const block = world.pools.public6.allocate(56);
  if (!block) throw poolExhausted();
  const r = addReservation(world, project, { type: "public_ipv6", block, cidr: 56, metro, management: true }, now);
  blocks.public6 = r.id;
  return r;
}

/** Validates that reservations named in `ip_reservations` can serve a request (no allocation yet). */
export function checkRequestedReservations(world: World, project: ProjectRecord, metro: string, req: AddressRequest) {
  for (const id of req.reservationIds) {
    const r = world.ipReservations.get(id.toLowerCase());
    const wanted: IpReservationType = req.family === 6 ? "public_ipv6" : req.public ? "public_ipv4" : "private_ipv4";
    const usable = r && r.projectId === project.id && r.state === "created" && r.block &&
      (r.type === wanted || (wanted === "public_ipv4" && r.type === "global_ipv4")) &&
      (r.metro === undefined || r.metro === metro);
    if (!usable) throw notValid(id, "IP reservation");
  }
}

/**
 * Allocates every requested address for a device and records the assignments. On failure, everything this call
 * allocated is released again, so a failed create leaves no addresses behind.
 */
export function allocateDeviceAddresses(
  world: World,
  project: ProjectRecord,
  metro: string,
  deviceId: string,
  requests: readonly AddressRequest[],
  now: number,
): string[] {
  const done: IpAssignmentRecord[] = [];
  try {
    for (const req of requests) {
      let reservation: IpReservationRecord | undefined;
      let network: bigint | undefined;
      for (const id of req.reservationIds) {
        const r = world.ipReservations.get(id.toLowerCase())!;
        network = r.allocator!.allocate(req.cidr);
        if (network !== undefined) {
          reservation = r;
          break;
        }
      }
      if (req.reservationIds.length && !reservation) {
        throw unprocessable(`No free /${req.cidr} left in the given IP reservations`);
      }
      if (!reservation) {
        if (req.family === 4 && !req.public) {
          ({ reservation, network } = privateBlockWithRoom(world, project, metro, req.cidr, now));
        } else if (req.family === 4) {
          const block = world.pools.public4.allocate(req.cidr);
          if (!block) throw poolExhausted();
          reservation = addReservation(world, project, {
            type: "public_ipv4",
            block,
            cidr: req.cidr,
            metro,
            management: true,
          }, now);
          network = reservation.allocator!.allocate(req.cidr);
        } else {
          reservation = ipv6Block(world, project, metro, now);
          network = reservation.allocator!.allocate(req.cidr);
          if (network === undefined) throw poolExhausted();
        }
      }
      const a: IpAssignmentRecord = {
        id: world.newId(),
        reservationId: reservation.id,
        deviceId,
        family: req.family,
        network: network!,
        cidr: req.cidr,
        public: req.public,
        // Addresses the device is created with are its management addresses (the extension picks the private one).
        management: true,
        createdAt: now,
        customdata: {},
        tags: [],
      };
      world.ipAssignments.set(a.id, a);
      reservation.assignmentIds.add(a.id);
      done.push(a);
    }
  } catch (e) {
    for (const a of done) world.removeAssignment(a.id);
    throw e;
  }
  return done.map((a) => a.id);
}
