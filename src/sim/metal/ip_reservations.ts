/**
 * IP reservations of a project (elastic IPs and the auto-created management blocks) and `/ips/{id}`, which serves
 * both reservations and assignments: DELETE releases a reservation or unassigns an assignment (§12.13).
 */
import { facilityNotSupported, notValid, unprocessable } from "./api_errors.ts";
import { addReservation } from "./address_allocation.ts";
import { IpReservationBody, IpUpdateBody, parseBody } from "./bodies.ts";
import { findFacility, findMetro } from "./catalog.ts";
import { created, type Handler, noContent, ok } from "./context.ts";
import { requireIp, requireProject } from "./access.ts";
import { paginate, pagingOf } from "./pagination.ts";
import { expansionOf } from "./query.ts";
import { renderAssignment, renderReservation } from "./render_ip.ts";
import type { IpReservationType } from "./world.ts";

/** Default page size of `GET /projects/{id}/ips` (unlike the other lists). */
export const IP_LIST_DEFAULT_PER_PAGE = 250;
const TYPES: readonly IpReservationType[] = ["public_ipv4", "private_ipv4", "public_ipv6", "global_ipv4"];

/** `GET /projects/{id}/ips` (`types` filter, `include=assignments`). */
export const listIpReservations: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const q = ctx.query;
  const paging = pagingOf(q, IP_LIST_DEFAULT_PER_PAGE);
  const types = [...q.getAll("types"), ...q.getAll("types[]"), ...q.getAll("type")].flatMap((t) => t.split(","));
  for (const t of types) if (!TYPES.includes(t as IpReservationType) && t !== "vrf") throw notValid(t, "IP type");
  const items = [...project.ipReservationIds].map((id) => ctx.world.ipReservations.get(id)!).filter((r) =>
    types.length === 0 || types.includes(r.type)
  );
  const page = paginate(items, paging, ctx.path, q);
  const e = expansionOf(q);
  return ok({ ip_addresses: page.items.map((r) => renderReservation(ctx.world, r, e)), meta: page.meta });
};

function cidrFor(type: IpReservationType, quantity: number): number | undefined {
  if (!Number.isInteger(quantity) || quantity < 1 || (quantity & (quantity - 1)) !== 0) return undefined;
  const bits = Math.log2(quantity);
  if (type === "public_ipv6") return quantity === 1 ? 56 : undefined;
  if (type === "global_ipv4") return quantity === 1 ? 32 : undefined;
  return bits <= 8 ? 32 - bits : undefined;
}

/**
 * `POST /projects/{id}/ips`: the address is allocated at once (`state: created`) within the project's public IPv4
 * quota; beyond it the request either fails (422 with `fail_on_approval_required`) or waits for review (`pending`,
 * no address).
 */
export const requestIpReservation: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const body = parseBody(IpReservationBody, ctx.body, "ip_reservation");
  if (body.type === "vrf") throw unprocessable("VRF IP reservations are not supported by this simulator");
  if (!TYPES.includes(body.type as IpReservationType)) throw notValid(body.type, "IP reservation type");
  const type = body.type as IpReservationType;
  const cidr = cidrFor(type, body.quantity);
  if (cidr === undefined) throw unprocessable(`${body.quantity} is not a valid quantity for ${type}`);
  let metro: string | undefined;
  let facility: string | undefined;
  if (type !== "global_ipv4") {
    if (body.facility) {
      if (!ctx.world.orgs.get(project.orgId)!.facilitiesAllowed) throw facilityNotSupported(project.orgId);
      const f = findFacility(body.facility);
      if (!f) throw notValid(body.facility, "facility");
      facility = f.code;
      metro = f.metro;
    } else if (body.metro) {
      const m = findMetro(body.metro);
      if (!m) throw notValid(body.metro, "metro");
      metro = m.code;
    } else {
      throw unprocessable("Metro can't be blank");
    }
  }
  const fields = {
    type,
    cidr,
    metro,
    facility,
    management: false,
    details: body.details ?? undefined,
    tags: body.tags ?? [],
    customdata: body.customdata ?? {},
    requestedByUserId: ctx.principal.kind === "user" ? ctx.principal.user.id : undefined,
  };
  if (type === "public_ipv4" || type === "global_ipv4") {
    const used = [...project.ipReservationIds].map((id) => ctx.world.ipReservations.get(id)!).filter((r) =>
      !r.management && (r.type === "public_ipv4" || r.type === "global_ipv4")
    ).reduce((n, r) => n + 2 ** (32 - r.cidr), 0);
    if (used + body.quantity > project.publicIpv4Quota) {
      if (body.fail_on_approval_required) {
        throw unprocessable(
          `The request exceeds the project's public IPv4 quota of ${project.publicIpv4Quota} addresses and requires approval`,
        );
      }
      const pending = addReservation(ctx.world, project, { ...fields, state: "pending" }, ctx.now);
      return created(renderReservation(ctx.world, pending, expansionOf(ctx.query)));
    }
  }
  const pool = type === "private_ipv4"
    ? ctx.world.pools.private4
    : type === "public_ipv6"
    ? ctx.world.pools.public6
    : type === "global_ipv4"
    ? ctx.world.pools.global4
    : ctx.world.pools.public4;
  const block = pool.allocate(cidr);
  if (!block) throw unprocessable(`No ${type} space is left`);
  const r = addReservation(ctx.world, project, { ...fields, block }, ctx.now);
  return created(renderReservation(ctx.world, r, expansionOf(ctx.query)));
};

/** `GET /ips/{id}`: a reservation or an assignment. */
export const getIp: Handler = (ctx) => {
  const found = requireIp(ctx, ctx.params.id);
  const e = expansionOf(ctx.query);
  return ok(
    "reservation" in found
      ? renderReservation(ctx.world, found.reservation, e)
      : renderAssignment(ctx.world, found.assignment, e),
  );
};

/** `PATCH /ips/{id}`: details, tags, customdata. */
export const updateIp: Handler = (ctx) => {
  const found = requireIp(ctx, ctx.params.id);
  const body = parseBody(IpUpdateBody, ctx.body ?? {}, "ip_address");
  const target = "reservation" in found ? found.reservation : found.assignment;
  if (body.details !== undefined) target.details = body.details ?? undefined;
  if (body.tags !== undefined) target.tags = body.tags;
  if (body.customdata !== undefined) target.customdata = body.customdata;
  const e = expansionOf(ctx.query);
  return ok(
    "reservation" in found
      ? renderReservation(ctx.world, found.reservation, e)
      : renderAssignment(ctx.world, found.assignment, e),
  );
};

/**
 * `DELETE /ips/{id}`: an assignment id unassigns, a reservation id releases the block. Management addresses and
 * blocks belong to devices and cannot be removed this way; a reservation with assignments must be unassigned first.
 */
export const deleteIp: Handler = (ctx) => {
  const found = requireIp(ctx, ctx.params.id);
  if ("assignment" in found) {
    if (found.assignment.management) throw unprocessable("Cannot unassign a management IP address");
    ctx.world.removeAssignment(found.assignment.id);
    return noContent();
  }
  const r = found.reservation;
  if (r.management) throw unprocessable("Cannot delete a management IP block");
  if (r.assignmentIds.size > 0) throw unprocessable("Cannot delete an IP reservation that has assignments");
  ctx.world.ipReservations.delete(r.id);
  ctx.world.projects.get(r.projectId)?.ipReservationIds.delete(r.id);
  return noContent();
};
