/**
 * Device endpoints other than create: get, list (filters, paging), update, lock, delete (asynchronous), actions
 * and the device's IP assignments.
 */
import { notValid, TEXT, unprocessable } from "./api_errors.ts";
import { DeviceActionBody, DeviceDeleteBody, DeviceUpdateBody, IpAssignmentBody, parseBody } from "./bodies.ts";
import { findFacility, findMetro, findOperatingSystem, findPlan } from "./catalog.ts";
import { type ApiResult, created, type Handler, noContent, ok, type RequestContext } from "./context.ts";
import { requireDevice, requireProject } from "./access.ts";
import { BILLING_CYCLES, createDevice } from "./device_create.ts";
import { shortId } from "./ids.ts";
import { parseCidr } from "./ip_math.ts";
import { blockSize } from "./ip_pools.ts";
import { ipsVisibleAt, isVanished, stateAt, withAction } from "./lifecycle.ts";
import { paginate, pagingOf } from "./pagination.ts";
import { boolParam, expansionOf } from "./query.ts";
import { renderDevice } from "./render_device.ts";
import { formatAddress, hostAndGateway, renderAssignment } from "./render_ip.ts";
import type { DeviceRecord, IpAssignmentRecord } from "./world.ts";

function deviceResult(ctx: RequestContext, d: DeviceRecord, status = 200): ApiResult {
  return { status, body: renderDevice(ctx.world, d, ctx.now, expansionOf(ctx.query)) };
}

/** `POST /projects/{id}/devices` → 201 Device (state `queued`). */
export const createDeviceHandler: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  return deviceResult(ctx, createDevice(ctx, project), 201);
};

/** `GET /devices/{id}`. */
export const getDevice: Handler = (ctx) => deviceResult(ctx, requireDevice(ctx, ctx.params.id));

function searchText(ctx: RequestContext, d: DeviceRecord): string {
  const addresses = d.ipAssignmentIds.map((id) => ctx.world.ipAssignments.get(id)).filter((a) => a !== undefined)
    .map((a) => formatAddress(a.family, hostAndGateway(a.family, a.network, a.cidr).address));
  return [
    d.hostname,
    d.description ?? "",
    shortId(d.id),
    ...d.tags,
    d.plan,
    d.facility,
    d.operatingSystem,
    ...addresses,
  ]
    .join("\n").toLowerCase();
}

/**
 * `GET /projects/{id}/devices`: creation order; `hostname` is a substring match, `tag` exact per element. Devices
 * being deprovisioned are still listed (with state `deprovisioning`) until they are gone; devices hidden behind
 * 403 after a failed provisioning are not, nor are creates still being committed (late-commit fault).
 */
export const listDevices: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const q = ctx.query;
  const paging = pagingOf(q);
  const hostname = q.get("hostname")?.toLowerCase();
  const tag = q.get("tag");
  const metro = q.get("metro");
  const facility = q.get("facility");
  const search = q.get("search")?.toLowerCase();
  const reserved = boolParam(q, "reserved");
  const hasTermination = boolParam(q, "has_termination_time");
  const type = q.get("type");
  if (type && !["ondemand", "spot", "reserved"].includes(type)) throw notValid(type, "instance type");
  const categories = q.getAll("categories");
  const metroCode = metro ? findMetro(metro)?.code ?? metro.toLowerCase() : undefined;
  const facilityCode = facility ? findFacility(facility)?.code ?? facility.toLowerCase() : undefined;
  const devices: DeviceRecord[] = [];
  for (const id of project.deviceIds) {
    const d = ctx.world.devices.get(id)!;
    const state = stateAt(d.lifecycle, ctx.now);
    if (state === "gone" || isVanished(d.lifecycle, ctx.now) || ctx.world.isUncommitted(d, ctx.now)) continue;
    if (hostname && !d.hostname.toLowerCase().includes(hostname)) continue;
    if (tag !== null && !d.tags.includes(tag)) continue;
    if (metroCode && d.metro !== metroCode) continue;
    if (facilityCode && d.facility !== facilityCode) continue;
    if (reserved !== undefined && (d.hardwareReservationId !== undefined) !== reserved) continue;
    if (hasTermination !== undefined && (d.terminationTime !== undefined) !== hasTermination) continue;
    if (type === "spot" && !d.spotInstance) continue;
    if (type === "reserved" && !d.hardwareReservationId) continue;
    if (type === "ondemand" && (d.spotInstance || d.hardwareReservationId)) continue;
    if (categories.length && !categories.some((c) => findPlan(d.plan)!.categories.includes(c))) continue;
    if (search && !searchText(ctx, d).includes(search)) continue;
    devices.push(d);
  }
  const page = paginate(devices, paging, ctx.path, q);
  const e = expansionOf(q);
  return ok({ devices: page.items.map((d) => renderDevice(ctx.world, d, ctx.now, e)), meta: page.meta });
};

/** `PUT /devices/{id}` and `PATCH /devices/{id}` (packngo locks and unlocks with PATCH). */
export const updateDevice: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const body = parseBody(DeviceUpdateBody, ctx.body, "device");
  if (body.billing_cycle !== undefined && !(BILLING_CYCLES as readonly string[]).includes(body.billing_cycle)) {
    throw notValid(body.billing_cycle, "billing cycle");
  }
  if (body.hostname !== undefined) d.hostname = body.hostname;
  if (body.description !== undefined) d.description = body.description ?? undefined;
  if (body.billing_cycle !== undefined) d.billingCycle = body.billing_cycle;
  if (body.userdata !== undefined) d.userdata = body.userdata ?? "";
  if (body.customdata !== undefined) d.customdata = body.customdata;
  if (body.tags !== undefined) d.tags = body.tags ?? [];
  if (body.locked !== undefined) d.locked = body.locked;
  if (body.always_pxe !== undefined) d.alwaysPxe = body.always_pxe;
  if (body.ipxe_script_url !== undefined) d.ipxeScriptUrl = body.ipxe_script_url || undefined;
  if (body.network_frozen !== undefined) d.networkFrozen = body.network_frozen;
  if (body.spot_instance === false) d.spotInstance = false;
  d.updatedAt = ctx.now;
  return deviceResult(ctx, d);
};

/** `DELETE /devices/{id}`: 204, then `deprovisioning` for the visibility window, then 404. Locked → 422. */
export const deleteDevice: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  boolParam(ctx.query, "force_delete");
  if (ctx.body !== undefined) parseBody(DeviceDeleteBody, ctx.body, "device");
  if (d.locked) throw unprocessable(TEXT.lockedItem);
  // A repeated delete while deprovisioning is accepted and changes nothing.
  ctx.world.deleteDevice(d, ctx.now);
  return noContent();
};

/** `POST /devices/{id}/actions` → 202. */
export const deviceAction: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const body = parseBody(DeviceActionBody, ctx.body, "action");
  if (body.type === "reinstall" && body.operating_system !== undefined) {
    const os = findOperatingSystem(body.operating_system);
    if (!os) throw notValid(body.operating_system, "operating system");
    if (!os.provisionableOn.includes(d.plan)) throw unprocessable(`${os.slug} is not provisionable on plan ${d.plan}`);
  }
  const next = withAction(d.lifecycle, ctx.now, body.type, ctx.world.timings);
  if ("error" in next) throw unprocessable(next.error);
  d.lifecycle = next;
  if (body.type === "reinstall") {
    if (body.operating_system !== undefined) d.operatingSystem = body.operating_system;
    if (body.ipxe_script_url !== undefined) d.ipxeScriptUrl = body.ipxe_script_url;
  }
  d.updatedAt = ctx.now;
  return { status: 202 };
};

/** `GET /devices/{id}/ips` → `{ip_addresses: [IPAssignment]}` (no meta). */
export const listDeviceIps: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const e = expansionOf(ctx.query);
  const assignments = ipsVisibleAt(d.lifecycle, ctx.now) ? d.ipAssignmentIds : [];
  return ok({
    ip_addresses: assignments.map((id) => ctx.world.ipAssignments.get(id)).filter((a) => a !== undefined).map((a) =>
      renderAssignment(ctx.world, a, e)
    ),
  });
};

/** `POST /devices/{id}/ips {address}`: assigns an address of one of the project's reservations (elastic IP). */
export const assignDeviceIp: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const body = parseBody(IpAssignmentBody, ctx.body, "ip_assignment");
  const parsed = parseCidr(body.address);
  if (!parsed) throw unprocessable(`${body.address} is not a valid IP address`);
  const cidr = parsed.cidr ?? (parsed.family === 4 ? 32 : 128);
  const project = ctx.world.projects.get(d.projectId)!;
  const reservation = [...project.ipReservationIds].map((id) => ctx.world.ipReservations.get(id)!).find((r) =>
    !r.management && r.block && r.block.family === parsed.family && parsed.value >= r.block.network &&
    parsed.value < r.block.network + blockSize(r.block.family, r.block.cidr)
  );
  if (!reservation) throw unprocessable(`${body.address} is not in any IP reservation of this project`);
  if (reservation.metro && reservation.metro !== d.metro) {
    throw unprocessable(`${body.address} is reserved in metro ${reservation.metro}, the device is in ${d.metro}`);
  }
  const size = blockSize(parsed.family, cidr);
  const network = (parsed.value / size) * size;
  if (!reservation.allocator!.claim(network, cidr)) throw unprocessable(`${body.address} is already assigned`);
  const a: IpAssignmentRecord = {
    id: ctx.world.newId(),
    reservationId: reservation.id,
    deviceId: d.id,
    family: parsed.family,
    network,
    cidr,
    public: reservation.type !== "private_ipv4",
    management: false,
    createdAt: ctx.now,
    customdata: body.customdata ?? {},
    tags: [],
  };
  ctx.world.ipAssignments.set(a.id, a);
  reservation.assignmentIds.add(a.id);
  d.ipAssignmentIds.push(a.id);
  return created(renderAssignment(ctx.world, a, expansionOf(ctx.query)));
};
