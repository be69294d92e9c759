/**
 * The simulator's state: organisations, users, projects, tokens, devices, keys, reservations, addresses and BGP
 * objects, plus the effects that must happen together (a device takes capacity, addresses and a reservation; a
 * device that is gone gives them back). Time-dependent facts are computed from the clock; `sweep()` applies the
 * ones that have fallen due, lazily, at the start of every request.
 */
import { CapacityLedger } from "./capacity.ts";
import { DueQueue } from "./due_queue.ts";
import { randomUuid } from "./ids.ts";
import { type Block, defaultPools, SubAllocator } from "./ip_pools.ts";
import { type DeviceTimings, type Lifecycle, type ProvisionOutcome, stateAt, withDeletion } from "./lifecycle.ts";
import type { Rng } from "../kernel/mod.ts";
import type { ResolvedSeed } from "./seed.ts";
import { md5Fingerprint, parsePublicKey } from "./fingerprint.ts";

/** An organisation; `facilitiesAllowed` is false for organisations created after the 2023 deprecation. */
export interface OrgRecord {
  id: string;
  name: string;
  facilitiesAllowed: boolean;
  createdAt: number;
}

/** A user and the organisations it belongs to. */
export interface UserRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  orgIds: string[];
  createdAt: number;
}

/** A project's BGP configuration (it cannot be changed once requested). */
export interface BgpConfigRecord {
  id: string;
  asn: number;
  deploymentType: "local" | "global";
  md5?: string;
  useCase?: string;
  status: "requested" | "enabled" | "disabled";
  createdAt: number;
}

/** A project and the ids of what belongs to it. */
export interface ProjectRecord {
  id: string;
  name: string;
  orgId: string;
  createdAt: number;
  publicIpv4Quota: number;
  /** Device ids in creation order (a Set keeps insertion order and deletes in O(1)). */
  deviceIds: Set<string>;
  sshKeyIds: Set<string>;
  hardwareReservationIds: string[];
  ipReservationIds: Set<string>;
  bgpConfig?: BgpConfigRecord;
  /** Management blocks per metro: private IPv4 /25s (reservation ids) and the IPv6 /56. */
  managementBlocks: Map<string, { private4: string[]; public6?: string }>;
}

/** Who a token authenticates. */
export type Principal =
  | { kind: "user"; user: UserRecord }
  | { kind: "project"; projectId: string };

/** A project's or a user's SSH key. */
export interface SshKeyRecord {
  id: string;
  label: string;
  key: string;
  fingerprint: string;
  tags: string[];
  createdAt: number;
  updatedAt: number;
  owner: { kind: "project" | "user"; id: string };
}

/** A device; everything time-dependent lives in `lifecycle`. */
export interface DeviceRecord {
  id: string;
  projectId: string;
  hostname: string;
  description?: string;
  tags: string[];
  billingCycle: string;
  userdata: string;
  customdata: Record<string, unknown>;
  alwaysPxe: boolean;
  ipxeScriptUrl?: string;
  locked: boolean;
  networkFrozen: boolean;
  spotInstance: boolean;
  spotPriceMax?: number;
  terminationTime?: number;
  plan: string;
  operatingSystem: string;
  metro: string;
  facility: string;
  hardwareReservationId?: string;
  sshKeyIds: string[];
  ipAssignmentIds: string[];
  createdByUserId?: string;
  createdAt: number;
  updatedAt: number;
  lifecycle: Lifecycle;
  /** Ids of network ports (stable per device). */
  portIds: [string, string, string];
  switchUuid: string;
  /** A create committed late (fault): GET and listings do not see the device before this time. */
  visibleAfter?: number;
}

/** A hardware reservation of a project; `deviceId` while a device runs on it. */
export interface HardwareReservationRecord {
  id: string;
  projectId: string;
  plan: string;
  facility: string;
  spare: boolean;
  needOfService: boolean;
  createdAt: number;
  deviceId?: string;
  /** Not provisionable before this instant (cool-down after its device was deleted). */
  provisionableAfter: number;
}

/** Types of IP reservations (the Go SDK's enum). */
export type IpReservationType = "public_ipv4" | "private_ipv4" | "public_ipv6" | "global_ipv4";

/** A block of addresses of a project (an elastic IP or an auto-created management block). */
export interface IpReservationRecord {
  id: string;
  projectId: string;
  type: IpReservationType;
  /** Undefined while `pending` (no address yet). */
  block?: Block;
  /** Requested prefix length (also set while pending). */
  cidr: number;
  metro?: string;
  facility?: string;
  /** Auto-created blocks devices draw from (private /25, public /31 per device, IPv6 /56). */
  management: boolean;
  state: "created" | "pending";
  details?: string;
  tags: string[];
  customdata: Record<string, unknown>;
  createdAt: number;
  allocator?: SubAllocator;
  assignmentIds: Set<string>;
  requestedByUserId?: string;
}

/** An address (sub-block) of a reservation assigned to a device. */
export interface IpAssignmentRecord {
  id: string;
  reservationId: string;
  deviceId: string;
  family: 4 | 6;
  /** Network address of the assigned sub-block. */
  network: bigint;
  cidr: number;
  public: boolean;
  management: boolean;
  createdAt: number;
  customdata: Record<string, unknown>;
  details?: string;
  tags: string[];
}

/** A BGP session of a device. */
export interface BgpSessionRecord {
  id: string;
  deviceId: string;
  family: "ipv4" | "ipv6";
  defaultRoute: boolean;
  createdAt: number;
  updatedAt: number;
}

type DueKey = { kind: "gone"; deviceId: string } | { kind: "terminate"; deviceId: string };

/** The whole simulated world. Mutated only synchronously inside one request, so each request is atomic. */
export class World {
  readonly orgs = new Map<string, OrgRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly tokens = new Map<string, Principal>();
  readonly sshKeys = new Map<string, SshKeyRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  /** Devices that no longer exist, for inspection (`devices({includeDeleted: true})`). */
  readonly goneDevices: DeviceRecord[] = [];
  readonly hardwareReservations = new Map<string, HardwareReservationRecord>();
  readonly ipReservations = new Map<string, IpReservationRecord>();
  readonly ipAssignments = new Map<string, IpAssignmentRecord>();
  readonly bgpSessions = new Map<string, BgpSessionRecord>();
  readonly capacity = new CapacityLedger();
  readonly pools: ReturnType<typeof defaultPools>;
  timings: DeviceTimings;
  /** Outcomes forced on the next creates (`failNextCreates`), consumed in order. */
  readonly pendingOutcomes: ProvisionOutcome[] = [];
  private readonly due = new DueQueue<DueKey>();

  constructor(readonly rng: Rng, seed: ResolvedSeed, now: number) {
    this.timings = seed.timings;
    this.pools = defaultPools(rng.int(65536), rng.int(16384));
    for (const o of seed.organizations) this.orgs.set(o.id, { ...o, createdAt: now });
    for (const u of seed.users) this.users.set(u.id, { ...u, createdAt: now });
    for (const p of seed.projects) {
      this.projects.set(p.id, {
        id: p.id,
        name: p.name,
        orgId: p.orgId,
        createdAt: now,
        publicIpv4Quota: p.publicIpv4Quota,
        deviceIds: new Set(),
        sshKeyIds: new Set(),
        hardwareReservationIds: [],
        ipReservationIds: new Set(),
        managementBlocks: new Map(),
      });
    }
    for (const t of seed.tokens) {
      this.tokens.set(
        t.token,
        t.userId ? { kind: "user", user: this.users.get(t.userId)! } : { kind: "project", projectId: t.projectId! },
      );
    }
    for (const k of seed.sshKeys) {
      const parsed = parsePublicKey(k.key);
      if ("error" in parsed) throw new Error(`seed ssh key ${k.label}: ${parsed.error}`); // checked by resolveSeed
      const owner = k.projectId
        ? { kind: "project" as const, id: k.projectId }
        : { kind: "user" as const, id: k.userId! };
      this.addSshKey({
        id: k.id,
        label: k.label,
        key: k.key,
        fingerprint: md5Fingerprint(parsed.blob),
        tags: [],
        createdAt: now,
        updatedAt: now,
        owner,
      });
    }
    for (const r of seed.hardwareReservations) {
      this.hardwareReservations.set(r.id, { ...r, createdAt: now, provisionableAfter: 0 });
      this.projects.get(r.projectId)!.hardwareReservationIds.push(r.id);
    }
    for (const c of seed.capacity) this.capacity.setLimit(c.location, c.plan, c.count);
  }

  /** A fresh random UUID from the id stream. */
  newId(): string {
    return randomUuid(this.rng);
  }

  /** Registers an SSH key with its owner. */
  addSshKey(key: SshKeyRecord): void {
    this.sshKeys.set(key.id, key);
    if (key.owner.kind === "project") this.projects.get(key.owner.id)?.sshKeyIds.add(key.id);
  }

  /** Applies everything that fell due up to `now` (devices gone, termination times reached). */
  sweep(now: number): void {
    for (;;) {
      const batch = this.due.popDue(now);
      if (batch.length === 0) return;
      for (const { key } of batch) {
        const device = this.devices.get(key.deviceId);
        if (!device) continue;
        if (key.kind === "terminate") {
          const at = device.terminationTime;
          // Locked devices are protected from deletion, termination time included.
          if (at !== undefined && at <= now && device.lifecycle.deletedAt === undefined && !device.locked) {
            this.deleteDevice(device, at);
          }
          continue;
        }
        const goneAt = device.lifecycle.goneAt;
        // The entry may be stale (the device got a later goneAt since).
        if (goneAt !== undefined && goneAt <= now) this.removeDevice(device);
      }
    }
  }

  /** Starts the asynchronous delete of a device (the caller checked access and the lock). */
  deleteDevice(device: DeviceRecord, now: number): void {
    if (device.lifecycle.deletedAt !== undefined) return;
    device.lifecycle = withDeletion(device.lifecycle, now, this.timings.deprovisionVisibleMs);
    device.updatedAt = now;
    const reservation = device.hardwareReservationId
      ? this.hardwareReservations.get(device.hardwareReservationId)
      : undefined;
    if (reservation) reservation.provisionableAfter = now + this.timings.reservationCooldownMs;
    this.due.push(device.lifecycle.goneAt!, { kind: "gone", deviceId: device.id });
  }

  /** Schedules the removal of a vanished device and an automatic delete at the termination time. */
  scheduleDevice(device: DeviceRecord): void {
    if (device.lifecycle.goneAt !== undefined) {
      this.due.push(device.lifecycle.goneAt, { kind: "gone", deviceId: device.id });
    }
    if (device.terminationTime !== undefined) {
      this.due.push(device.terminationTime, { kind: "terminate", deviceId: device.id });
    }
  }

  /** Removes a device that is gone and gives back what it held. */
  private removeDevice(device: DeviceRecord): void {
    this.devices.delete(device.id);
    this.projects.get(device.projectId)?.deviceIds.delete(device.id);
    this.goneDevices.push(device);
    if (device.hardwareReservationId) {
      const r = this.hardwareReservations.get(device.hardwareReservationId);
      if (r && r.deviceId === device.id) {
        r.deviceId = undefined;
        r.provisionableAfter = Math.max(
          r.provisionableAfter,
          (device.lifecycle.deletedAt ?? device.lifecycle.goneAt!) + this.timings.reservationCooldownMs,
        );
      }
    } else {
      this.capacity.release(device.facility, device.plan);
    }
    for (const aid of device.ipAssignmentIds) this.removeAssignment(aid);
    for (const s of [...this.bgpSessions.values()]) if (s.deviceId === device.id) this.bgpSessions.delete(s.id);
  }

  /** Removes an IP assignment; a device's own public /31 reservation goes with it. */
  removeAssignment(assignmentId: string): void {
    const a = this.ipAssignments.get(assignmentId);
    if (!a) return;
    this.ipAssignments.delete(assignmentId);
    const device = this.devices.get(a.deviceId);
    if (device) device.ipAssignmentIds = device.ipAssignmentIds.filter((id) => id !== assignmentId);
    const r = this.ipReservations.get(a.reservationId);
    if (!r) return;
    r.assignmentIds.delete(assignmentId);
    r.allocator?.release(a.network);
    if (r.management && r.type === "public_ipv4" && r.assignmentIds.size === 0) {
      // Per-device public blocks are released with the device, as the real API does.
      this.ipReservations.delete(r.id);
      this.projects.get(r.projectId)?.ipReservationIds.delete(r.id);
    }
  }

  /** True while a late-committed create keeps the device from GET and listings. */
  isUncommitted(device: DeviceRecord, now: number): boolean {
    return device.visibleAfter !== undefined && now < device.visibleAfter;
  }

  /** State of a device now ("gone" once it no longer exists). */
  stateOf(device: DeviceRecord, now: number) {
    return stateAt(device.lifecycle, now);
  }
}
