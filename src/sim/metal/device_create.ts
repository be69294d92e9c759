/**
 * `POST /projects/{id}/devices`: validation with the real API's texts, placement (metro/facility, capacity,
 * hardware reservations), address allocation and the new device's lifecycle. Every check runs before anything is
 * taken, and allocations are undone if a later step fails, so a rejected create leaves no trace.
 */
import { ApiError, facilityNotSupported, noFacilityCapacity, notValid, TEXT, unprocessable } from "./api_errors.ts";
import {
  type AddressRequest,
  allocateDeviceAddresses,
  checkRequestedReservations,
  DEFAULT_ADDRESS_REQUESTS,
} from "./address_allocation.ts";
import { parseBody } from "./bodies.ts";
import { DeviceCreateBody } from "./bodies.ts";
import {
  type CatalogOperatingSystem,
  type CatalogPlan,
  FACILITIES,
  findFacility,
  findMetro,
  findOperatingSystem,
  findPlan,
  METROS,
} from "./catalog.ts";
import type { RequestContext } from "./context.ts";
import { md5Fingerprint, parsePublicKey } from "./fingerprint.ts";
import { isUuid } from "../../runtime/uuid.ts";
import { planProvisioning } from "./lifecycle.ts";
import { isProvisionable } from "./render.ts";
import type { DeviceRecord, HardwareReservationRecord, ProjectRecord, World } from "./world.ts";

/** Billing cycles the API accepts. */
export const BILLING_CYCLES = ["hourly", "daily", "monthly", "yearly"] as const;
/** Largest userdata the simulator accepts (bytes of text). */
export const MAX_USERDATA = 1024 * 1024;
const HOSTNAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252}[a-zA-Z0-9])?$/;

type Body = ReturnType<typeof parseCreateBody>;

function parseCreateBody(body: unknown) {
  return parseBody(DeviceCreateBody, body, "device");
}

function list(v: string | string[] | null | undefined): string[] {
  if (v === null || v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter((s) => s !== "");
}

/** Where the device goes: a facility in a metro, or a hardware reservation. */
interface Placement {
  metro: string;
  facility: string;
  reservation?: HardwareReservationRecord;
}

function placeOnDemand(ctx: RequestContext, project: ProjectRecord, body: Body, plan: CatalogPlan): Placement {
  const world = ctx.world;
  const facilities = list(body.facility);
  const metros = list(body.metro);
  if (facilities.length) {
    const org = world.orgs.get(project.orgId)!;
    if (!org.facilitiesAllowed) throw facilityNotSupported(org.id);
    const metro = metros.length === 1 ? findMetro(metros[0]) : undefined;
    if (metros.length === 1 && !metro) throw notValid(metros[0], "metro");
    if (!Array.isArray(body.facility)) {
      const f = findFacility(facilities[0]);
      if (!f || (metro && f.metro !== metro.code)) throw notValid(facilities[0], "facility");
      if (world.capacity.freeInFacility(f.code, plan.slug) <= 0) throw noFacilityCapacity(f.code, plan.slug);
      return { metro: f.metro, facility: f.code };
    }
    // A preference list: the first listed (or, for "any", catalogue) facility with a free server. The real API
    // answers "Facility can't be blank" when none qualifies, even when the entries were merely invalid.
    const candidates = facilities.flatMap((code) =>
      code.toLowerCase() === "any"
        ? FACILITIES.map((f) => f.code)
        : findFacility(code)
        ? [findFacility(code)!.code]
        : []
    ).filter((code) => !metro || findFacility(code)!.metro === metro.code);
    const chosen = candidates.find((code) => world.capacity.freeInFacility(code, plan.slug) > 0);
    if (!chosen) throw unprocessable(TEXT.facilityBlank);
    return { metro: findFacility(chosen)!.metro, facility: chosen };
  }
  if (!metros.length) throw unprocessable("Metro can't be blank");
  const candidates: string[] = [];
  for (const code of metros) {
    if (code.toLowerCase() === "any") candidates.push(...METROS.map((m) => m.code));
    else {
      const m = findMetro(code);
      if (!m) throw notValid(code, "metro");
      candidates.push(m.code);
    }
  }
  for (const metro of candidates) {
    const facility = world.capacity.pickFacility(metro, plan.slug);
    if (facility) return { metro, facility };
  }
  throw unprocessable(TEXT.noMetroCapacity);
}

function placeOnReservation(
  ctx: RequestContext,
  project: ProjectRecord,
  body: Body,
  plan: CatalogPlan,
  reservationId: string,
): Placement {
  const world = ctx.world;
  const metros = list(body.metro).filter((m) => m.toLowerCase() !== "any");
  const facilities = list(body.facility).filter((f) => f.toLowerCase() !== "any");
  if (facilities.length && !world.orgs.get(project.orgId)!.facilitiesAllowed) {
    throw facilityNotSupported(project.orgId);
  }
  for (const m of metros) if (!findMetro(m)) throw notValid(m, "metro");
  for (const f of facilities) if (!findFacility(f)) throw notValid(f, "facility");
  const inLocation = (r: HardwareReservationRecord) =>
    (metros.length === 0 || metros.some((m) => findMetro(m)!.code === findFacility(r.facility)!.metro)) &&
    (facilities.length === 0 || facilities.some((f) => findFacility(f)!.code === r.facility));

  let reservation: HardwareReservationRecord | undefined;
  if (reservationId.toLowerCase() === "next-available") {
    reservation = project.hardwareReservationIds.map((id) => world.hardwareReservations.get(id)!).find((r) =>
      r.plan === plan.slug && isProvisionable(r, ctx.now) && inLocation(r)
    );
    if (!reservation) throw new ApiError(503, [TEXT.noReservations]);
  } else {
    const r = isUuid(reservationId) ? world.hardwareReservations.get(reservationId.toLowerCase()) : undefined;
    if (!r || r.projectId !== project.id) throw notValid(reservationId, "hardware reservation");
    if (!isProvisionable(r, ctx.now)) throw unprocessable(TEXT.notProvisionable);
    if (r.plan !== plan.slug) {
      throw unprocessable(`The hardware reservation ${r.id} is for plan ${r.plan}, not ${plan.slug}`);
    }
    if (!inLocation(r)) {
      throw unprocessable(
        `The hardware reservation ${r.id} is in facility ${r.facility}, outside the requested location`,
      );
    }
    reservation = r;
  }
  return { metro: findFacility(reservation.facility)!.metro, facility: reservation.facility, reservation };
}

function addressRequests(body: Body): AddressRequest[] {
  let requests: AddressRequest[] = body.ip_addresses
    ? body.ip_addresses.map((a) => ({
      family: a.address_family,
      public: a.public ?? true,
      cidr: a.cidr ?? (a.address_family === 4 ? 31 : 127),
      reservationIds: a.ip_reservations ?? [],
    }))
    : DEFAULT_ADDRESS_REQUESTS.map((r) => ({ ...r, reservationIds: [] }));
  if (body.public_ipv4_subnet_size != null) {
    requests = requests.map((r) => r.family === 4 && r.public ? { ...r, cidr: body.public_ipv4_subnet_size! } : r);
  }
  if (body.private_ipv4_subnet_size != null) {
    requests = requests.map((r) => r.family === 4 && !r.public ? { ...r, cidr: body.private_ipv4_subnet_size! } : r);
  }
  if (!requests.some((r) => r.family === 4 && !r.public)) throw unprocessable("Private IPv4 address is required");
  const seen = new Set<string>();
  for (const r of requests) {
    const kind = `${r.public ? "public" : "private"} IPv${r.family}`;
    if (r.family === 6 && !r.public) throw unprocessable("Private IPv6 addresses are not supported");
    if (seen.has(kind)) throw unprocessable(`Only one ${kind} address may be requested`);
    seen.add(kind);
    const [min, max] = r.family === 4 ? [28, 32] : [124, 127];
    if (r.cidr < min || r.cidr > max) throw unprocessable(`cidr ${r.cidr} is not valid for ${kind} (${min}..${max})`);
    if (r.family === 4 && r.public && r.cidr < 30 && r.reservationIds.length === 0) {
      throw unprocessable(TEXT.insufficientPublicIpv4);
    }
  }
  return requests;
}

/** Inline SSH keys of a request that the project does not have yet. */
type SshKeysToCreate = { label: string; key: string; fingerprint: string }[];

function sshKeysFor(world: World, project: ProjectRecord, body: Body): { existing: string[]; create: SshKeysToCreate } {
  const projectKeys = body.project_ssh_keys ?? [];
  const userIds = body.user_ssh_keys ?? [];
  const inline = body.ssh_keys ?? [];
  const existing: string[] = [];
  for (const id of projectKeys) {
    const k = isUuid(id) ? world.sshKeys.get(id.toLowerCase()) : undefined;
    if (!k || k.owner.kind !== "project" || k.owner.id !== project.id) throw notValid(id, "project ssh key");
    existing.push(k.id);
  }
  for (const id of userIds) {
    const u = isUuid(id) ? world.users.get(id.toLowerCase()) : undefined;
    if (!u || !u.orgIds.includes(project.orgId)) throw notValid(id, "user");
    for (const k of world.sshKeys.values()) if (k.owner.kind === "user" && k.owner.id === u.id) existing.push(k.id);
  }
  const create: SshKeysToCreate = [];
  for (const [i, k] of inline.entries()) {
    const parsed = parsePublicKey(k.key);
    if ("error" in parsed) throw unprocessable(`device.ssh_keys[${i}].key: ${parsed.error}`);
    const fingerprint = md5Fingerprint(parsed.blob);
    const known = [...project.sshKeyIds].map((id) => world.sshKeys.get(id)!).find((s) => s.fingerprint === fingerprint);
    if (known) existing.push(known.id);
    else create.push({ label: k.label ?? `device-key-${i}`, key: k.key.trim(), fingerprint });
  }
  if (projectKeys.length === 0 && userIds.length === 0 && inline.length === 0 && !body.no_ssh_keys) {
    // Default (§12.18): every project key plus the keys of every member of the project's organisation.
    existing.push(...project.sshKeyIds);
    for (const k of world.sshKeys.values()) {
      if (k.owner.kind === "user" && world.users.get(k.owner.id)?.orgIds.includes(project.orgId)) existing.push(k.id);
    }
  }
  return { existing: [...new Set(existing)], create };
}

/** The checked fields of a create request that the new device keeps. */
interface ValidatedCreate {
  plan: CatalogPlan;
  os: CatalogOperatingSystem;
  billingCycle: string;
  userdata: string;
  ipxeScriptUrl?: string;
  spot: boolean;
  terminationTime?: number;
}

/** Checks plan, operating system, billing cycle, userdata, iPXE, hostname, spot and termination time. */
function validateCreate(body: Body, now: number): ValidatedCreate {
  if (!body.plan) throw unprocessable("Plan can't be blank");
  const plan = findPlan(body.plan);
  if (!plan) throw notValid(body.plan, "plan");
  if (!body.operating_system) throw unprocessable("Operating system can't be blank");
  const os = findOperatingSystem(body.operating_system);
  if (!os) throw notValid(body.operating_system, "operating system");
  if (!os.provisionableOn.includes(plan.slug)) {
    throw unprocessable(`${os.slug} is not provisionable on plan ${plan.slug}`);
  }
  const billingCycle = body.billing_cycle ?? "hourly";
  if (!(BILLING_CYCLES as readonly string[]).includes(billingCycle)) throw notValid(billingCycle, "billing cycle");
  const userdata = body.userdata ?? "";
  if (userdata.length > MAX_USERDATA) {
    throw unprocessable(`Userdata is too long (maximum is ${MAX_USERDATA} characters)`);
  }
  const ipxeScriptUrl = body.ipxe_script_url || undefined;
  if (os.slug === "custom_ipxe" && !ipxeScriptUrl && !userdata.startsWith("#!ipxe")) {
    throw unprocessable("ipxe_script_url or an iPXE script in userdata (#!ipxe) is required for custom_ipxe");
  }
  if (body.hostname != null && body.hostname !== "" && !HOSTNAME_RE.test(body.hostname)) {
    throw unprocessable(`Hostname ${JSON.stringify(body.hostname)} is not a valid hostname`);
  }
  const spot = body.spot_instance ?? false;
  if (spot && (body.spot_price_max == null || body.spot_price_max <= 0)) {
    throw unprocessable("Spot price max can't be blank");
  }
  if (body.spot_price_max != null && body.spot_price_max < 0) throw unprocessable("Spot price max must be positive");
  let terminationTime: number | undefined;
  if (body.termination_time) {
    terminationTime = Date.parse(body.termination_time);
    if (Number.isNaN(terminationTime)) throw unprocessable(`device.termination_time: not a date-time`);
    if (terminationTime <= now) throw unprocessable("Termination time must be in the future");
  }
  return { plan, os, billingCycle, userdata, ipxeScriptUrl, spot, terminationTime };
}

/** Creates the inline SSH keys of a request as project keys; returns their ids. */
function createInlineKeys(ctx: RequestContext, project: ProjectRecord, keys: SshKeysToCreate): string[] {
  return keys.map((k) => {
    const keyId = ctx.world.newId();
    ctx.world.addSshKey({
      id: keyId,
      label: k.label,
      key: k.key,
      fingerprint: k.fingerprint,
      tags: [],
      createdAt: ctx.now,
      updatedAt: ctx.now,
      owner: { kind: "project", id: project.id },
    });
    return keyId;
  });
}

/** The new device's record, provisioning from now on. */
function deviceRecord(
  ctx: RequestContext,
  project: ProjectRecord,
  body: Body,
  v: ValidatedCreate,
  taken: { id: string; placement: Placement; ipAssignmentIds: string[]; sshKeyIds: string[] },
): DeviceRecord {
  const { world, now } = ctx;
  const { id, placement } = taken;
  const outcome = world.pendingOutcomes.shift() ?? "active";
  return {
    id,
    projectId: project.id,
    hostname: body.hostname || `${v.plan.slug.split(".")[0]}-${id.slice(0, 8)}`,
    description: body.description ?? undefined,
    tags: body.tags ?? [],
    billingCycle: v.billingCycle,
    userdata: v.userdata,
    customdata: body.customdata ?? {},
    alwaysPxe: body.always_pxe ?? false,
    ipxeScriptUrl: v.ipxeScriptUrl,
    locked: body.locked ?? false,
    networkFrozen: body.network_frozen ?? false,
    spotInstance: v.spot,
    spotPriceMax: body.spot_price_max ?? undefined,
    terminationTime: v.terminationTime,
    plan: v.plan.slug,
    operatingSystem: v.os.slug,
    metro: placement.metro,
    facility: placement.facility,
    hardwareReservationId: placement.reservation?.id,
    sshKeyIds: taken.sshKeyIds,
    ipAssignmentIds: taken.ipAssignmentIds,
    createdByUserId: ctx.principal.kind === "user" ? ctx.principal.user.id : undefined,
    createdAt: now,
    updatedAt: now,
    lifecycle: planProvisioning(now, world.timings, outcome),
    portIds: [world.newId(), world.newId(), world.newId()],
    switchUuid: world.newId().slice(0, 8),
    ...(ctx.commitDelayMs ? { visibleAfter: now + ctx.commitDelayMs } : {}),
  };
}

/** Handles `POST /projects/{id}/devices` for an accessible project; returns the new device record. */
export function createDevice(ctx: RequestContext, project: ProjectRecord): DeviceRecord {
  const world = ctx.world;
  const body = parseCreateBody(ctx.body);
  const validated = validateCreate(body, ctx.now);
  const requests = addressRequests(body);
  const reservationId = body.hardware_reservation_id ?? "";
  const placement = reservationId
    ? placeOnReservation(ctx, project, body, validated.plan, reservationId)
    : placeOnDemand(ctx, project, body, validated.plan);
  for (const r of requests) checkRequestedReservations(world, project, placement.metro, r);
  const keys = sshKeysFor(world, project, body);

  // Everything validated: take resources. Address allocation is the only step that can still fail; it undoes
  // itself, and nothing else has been taken before it. Ids are drawn in a fixed order (device, addresses, keys,
  // ports) so that a seed gives the same ids.
  const id = world.newId();
  const ipAssignmentIds = allocateDeviceAddresses(world, project, placement.metro, id, requests, ctx.now);
  if (placement.reservation) placement.reservation.deviceId = id;
  else world.capacity.take(placement.facility, validated.plan.slug);
  const sshKeyIds = [...keys.existing, ...createInlineKeys(ctx, project, keys.create)];
  const device = deviceRecord(ctx, project, body, validated, { id, placement, ipAssignmentIds, sshKeyIds });
  world.devices.set(id, device);
  project.deviceIds.add(id);
  world.scheduleDevice(device);
  return device;
}
