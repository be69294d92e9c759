/** `GET /capacity/metros` (levels per metro and plan) and `POST /capacity/metros` (can N servers be had?). */
import { notValid, unprocessable } from "./api_errors.ts";
import { CapacityCheckBody, parseBody } from "./bodies.ts";
import { findFacility, findMetro, findPlan, METROS } from "./catalog.ts";
import { type Handler, ok } from "./context.ts";

/** `{"capacity": {"<metro>": {"<plan>": {"level": ...}}}}`, from the same ledger creates use. */
export const getMetroCapacity: Handler = (ctx) => {
  const capacity: Record<string, Record<string, { level: string }>> = {};
  for (const m of METROS) {
    const plans: Record<string, { level: string }> = {};
    for (const plan of ctx.world.capacity.plansIn(m.code)) {
      plans[plan] = { level: ctx.world.capacity.level(m.code, plan) };
    }
    capacity[m.code] = plans;
  }
  return ok({ capacity });
};

/** Answers each entry with `available`; `quantity` is echoed as sent (clients send numbers, the spec says string). */
export const checkMetroCapacity: Handler = (ctx) => {
  const body = parseBody(CapacityCheckBody, ctx.body, "capacity");
  const servers = body.servers.map((s, i) => {
    const plan = findPlan(s.plan);
    if (!plan) throw notValid(s.plan, "plan");
    const quantity = typeof s.quantity === "number" ? s.quantity : Number(s.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw unprocessable(
        `capacity.servers[${i}].quantity: must be a positive integer, got ${JSON.stringify(s.quantity)}`,
      );
    }
    let free: number;
    if (s.metro !== undefined) {
      const metro = findMetro(s.metro);
      if (!metro) throw notValid(s.metro, "metro");
      free = ctx.world.capacity.freeInMetro(metro.code, plan.slug);
    } else if (s.facility !== undefined) {
      const facility = findFacility(s.facility);
      if (!facility) throw notValid(s.facility, "facility");
      free = ctx.world.capacity.freeInFacility(facility.code, plan.slug);
    } else {
      throw unprocessable(`capacity.servers[${i}]: Metro can't be blank`);
    }
    return { ...s, available: free >= quantity };
  });
  return ok({ servers });
};
