/** Device plans (server types). */
import { MetalInputError } from "./errors.ts";
import { checkAttributeList } from "./request_url.ts";
import { PlanListSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { Plan } from "./types.ts";

export type { Plan };

export const PLAN_TYPES = ["standard", "workload_optimized", "custom"] as const;
export const PLAN_CATEGORIES = ["compute", "storage", "vmce", "legacy_gen", "current_gen"] as const;

export interface PlanListOptions {
  slug?: string;
  type?: typeof PLAN_TYPES[number];
  categories?: (typeof PLAN_CATEGORIES[number])[];
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

const OP = "MetalClient.plans.list";

/** `/plans`. */
export class PlansApi {
  constructor(private readonly t: MetalTransport) {}

  /** Plans matching the filter (`GET /plans`; not paginated). */
  async list(opts: PlanListOptions = {}): Promise<Plan[]> {
    if (opts.type !== undefined && !PLAN_TYPES.includes(opts.type)) {
      throw new MetalInputError(OP, "type", `must be one of ${PLAN_TYPES.join(", ")}`);
    }
    for (const c of opts.categories ?? []) {
      if (!PLAN_CATEGORIES.includes(c)) {
        throw new MetalInputError(OP, "categories", `must contain only ${PLAN_CATEGORIES.join(", ")}`);
      }
    }
    checkAttributeList(OP, "include", opts.include);
    checkAttributeList(OP, "exclude", opts.exclude);
    const r = await this.t.json({
      method: "GET",
      endpoint: "/plans",
      query: {
        slug: opts.slug,
        type: opts.type,
        "categories[]": opts.categories,
        include: opts.include,
        exclude: opts.exclude,
      },
      signal: opts.signal,
    }, PlanListSchema);
    return r.plans;
  }
}
