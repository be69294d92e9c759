/**
 * On-demand server capacity per metro and plan (optionally narrowed per facility). Creates take a server, devices
 * that are gone give it back; `GET/POST /capacity/metros` read the same numbers, so the advisory answers agree with
 * what a create will do.
 */
import { facilitiesOf, findFacility, PLANS } from "./catalog.ts";

/** A capacity limit: a number of servers or no limit. */
export type CapacityCount = number | "unlimited";

/** `level` of `GET /capacity/metros`. */
export type CapacityLevel = "normal" | "limited" | "unavailable";

/** Default number of servers per metro and plan where the plan is sold: generous, but finite. */
export const DEFAULT_SERVERS_PER_METRO_PLAN = 100;
/** At or below this many free servers a metro/plan reports `limited`. */
export const LIMITED_THRESHOLD = 10;

function key(location: string, plan: string): string {
  return `${location}/${plan}`;
}

/** The capacity ledger. Locations are metro codes or facility codes (lowercase). */
export class CapacityLedger {
  private limits = new Map<string, CapacityCount>();
  private used = new Map<string, number>();

  constructor(perMetroPlan: CapacityCount = DEFAULT_SERVERS_PER_METRO_PLAN) {
    for (const plan of PLANS) {
      for (const metro of plan.metros) this.limits.set(key(metro, plan.slug), perMetroPlan);
    }
  }

  /** Sets the limit of a metro or facility for a plan (facility limits narrow their metro's). */
  setLimit(location: string, plan: string, count: CapacityCount): void {
    this.limits.set(key(location.toLowerCase(), plan), count);
  }

  private limitOf(location: string, plan: string, isFacility: boolean): CapacityCount {
    // A metro without an entry does not sell the plan; a facility without one is bounded only by its metro.
    return this.limits.get(key(location, plan)) ?? (isFacility ? "unlimited" : 0);
  }

  private freeAt(location: string, plan: string, isFacility: boolean): number {
    const limit = this.limitOf(location, plan, isFacility);
    if (limit === "unlimited") return Infinity;
    return Math.max(0, limit - (this.used.get(key(location, plan)) ?? 0));
  }

  /** Free servers of a plan in a metro (Infinity if unlimited). */
  freeInMetro(metro: string, plan: string): number {
    return this.freeAt(metro, plan, false);
  }

  /** Free servers of a plan in a facility: bounded by the facility's and its metro's limits. */
  freeInFacility(facility: string, plan: string): number {
    const f = findFacility(facility);
    if (!f) return 0;
    return Math.min(this.freeAt(f.code, plan, true), this.freeAt(f.metro, plan, false));
  }

  /** The first facility of the metro with a free server of the plan, if any. */
  pickFacility(metro: string, plan: string): string | undefined {
    if (this.freeInMetro(metro, plan) <= 0) return undefined;
    return facilitiesOf(metro).find((f) => this.freeInFacility(f.code, plan) > 0)?.code;
  }

  /** Takes one server in a facility (and its metro). The caller checked that one is free. */
  take(facility: string, plan: string): void {
    const f = findFacility(facility)!;
    for (const loc of [f.code, f.metro]) this.used.set(key(loc, plan), (this.used.get(key(loc, plan)) ?? 0) + 1);
  }

  /** Gives a server back. */
  release(facility: string, plan: string): void {
    const f = findFacility(facility)!;
    for (const loc of [f.code, f.metro]) {
      this.used.set(key(loc, plan), Math.max(0, (this.used.get(key(loc, plan)) ?? 0) - 1));
    }
  }

  /** The advisory level of a metro/plan. */
  level(metro: string, plan: string): CapacityLevel {
    const free = this.freeInMetro(metro, plan);
    return free <= 0 ? "unavailable" : free <= LIMITED_THRESHOLD ? "limited" : "normal";
  }

  /** Plans with a capacity entry in a metro (those `GET /capacity/metros` reports). */
  plansIn(metro: string): string[] {
    return PLANS.filter((p) => this.limits.has(key(metro, p.slug))).map((p) => p.slug);
  }
}
