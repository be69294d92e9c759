/** Catalogue endpoints: metros (no paging), facilities (deprecated, with RFC 8594 headers), plans, operating systems. */
import { notFound, notValid } from "./api_errors.ts";
import { FACILITIES, findMetro, METROS, OPERATING_SYSTEMS, PLANS } from "./catalog.ts";
import { type Handler, ok } from "./context.ts";
import { requireProject } from "./access.ts";
import { expansionOf } from "./query.ts";
import { renderFacility, renderMetro, renderOperatingSystem, renderPlan } from "./render.ts";

/** Headers the real API sent on facility endpoints since the 2023 deprecation. */
export const FACILITY_DEPRECATION_HEADERS: Readonly<Record<string, string>> = {
  "Deprecation": "Tue, 30 May 2023 00:00:00 GMT",
  "Sunset": "Tue, 30 Jun 2026 00:00:00 GMT",
  "Link": '<https://deploy.equinix.com/developers/docs/metal/locations/facilities/>; rel="deprecation", ' +
    '<https://feedback.equinixmetal.com/changelog/bye-facilities-hello-again-metros>; rel="sunset"',
};

/** `GET /locations/metros`: every metro; `page`/`per_page` are ignored, as the real endpoint ignores them. */
export const listMetros: Handler = () => ok({ metros: METROS.map(renderMetro) });

/** `GET /locations/metros/{id}` (id, or code for convenience). */
export const getMetro: Handler = (ctx) => {
  const m = findMetro(ctx.params.id);
  if (!m) throw notFound();
  return ok(renderMetro(m));
};

/** `GET /facilities` and `GET /projects/{id}/facilities` (address only with `include=address`). */
export const listFacilities: Handler = (ctx) => {
  if (ctx.params.id !== undefined) requireProject(ctx, ctx.params.id);
  const e = expansionOf(ctx.query);
  return ok({ facilities: FACILITIES.map((f) => renderFacility(f, e)) }, { ...FACILITY_DEPRECATION_HEADERS });
};

/** `GET /plans` and `GET /projects/{id}/plans` (filters `slug`, `type`, `categories[]`). */
export const listPlans: Handler = (ctx) => {
  if (ctx.params.id !== undefined) requireProject(ctx, ctx.params.id);
  const q = ctx.query;
  const slug = q.get("slug");
  const type = q.get("type");
  if (type !== null && !["standard", "workload_optimized", "custom"].includes(type)) throw notValid(type, "plan type");
  const categories = [...q.getAll("categories[]"), ...q.getAll("categories")];
  const plans = PLANS.filter((p) =>
    (slug === null || p.slug === slug) && (type === null || p.type === type) &&
    (categories.length === 0 || categories.some((c) => p.categories.includes(c)))
  );
  return ok({ plans: plans.map((p) => renderPlan(p, true)) });
};

/** `GET /operating-systems`. */
export const listOperatingSystems: Handler = () =>
  ok({ operating_systems: OPERATING_SYSTEMS.map(renderOperatingSystem) });
