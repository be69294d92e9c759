/** Hardware reservations: the project list (`provisionable=only`, `state`, paging) and a single reservation. */
import { notValid } from "./api_errors.ts";
import { type Handler, ok, type RequestContext } from "./context.ts";
import { requireHardwareReservation, requireProject } from "./access.ts";
import { findPlan } from "./catalog.ts";
import { shortId } from "./ids.ts";
import { paginate, pagingOf } from "./pagination.ts";
import { type Expansion, expansionOf } from "./query.ts";
import { href, isProvisionable, renderHardwareReservation } from "./render.ts";
import { renderDevice } from "./render_device.ts";
import type { HardwareReservationRecord } from "./world.ts";

function render(ctx: RequestContext, r: HardwareReservationRecord, e: Expansion) {
  return renderHardwareReservation(ctx.world, r, ctx.now, e, (id, ne) => {
    const d = ctx.world.devices.get(id);
    return d ? renderDevice(ctx.world, d, ctx.now, ne) : href(`/devices/${id}`);
  });
}

/** `GET /projects/{id}/hardware-reservations`. */
export const listHardwareReservations: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const q = ctx.query;
  const paging = pagingOf(q);
  const provisionable = q.get("provisionable");
  if (provisionable !== null && provisionable !== "only") throw notValid(provisionable, "provisionable filter");
  const state = q.get("state");
  if (state !== null && !["active", "spare", "need_of_service"].includes(state)) throw notValid(state, "state");
  const search = q.get("query")?.toLowerCase();
  const items = project.hardwareReservationIds.map((id) => ctx.world.hardwareReservations.get(id)!).filter((r) => {
    if (provisionable === "only" && !isProvisionable(r, ctx.now)) return false;
    if (state === "spare" && !r.spare) return false;
    if (state === "need_of_service" && !r.needOfService) return false;
    if (state === "active" && (r.spare || r.needOfService)) return false;
    if (search) {
      const device = r.deviceId ? ctx.world.devices.get(r.deviceId) : undefined;
      const text = [r.facility, findPlan(r.plan)!.name, project.name, shortId(r.id), device?.hostname ?? ""].join("\n");
      if (!text.toLowerCase().includes(search)) return false;
    }
    return true;
  });
  const page = paginate(items, paging, ctx.path, q);
  const e = expansionOf(q);
  return ok({ hardware_reservations: page.items.map((r) => render(ctx, r, e)), meta: page.meta });
};

/** `GET /hardware-reservations/{id}` (`include=device` expands the device). */
export const getHardwareReservation: Handler = (ctx) =>
  ok(render(ctx, requireHardwareReservation(ctx, ctx.params.id), expansionOf(ctx.query)));
