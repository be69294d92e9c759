/**
 * Capacity per metro and plan. Advisory only: a create can still fail for lack of capacity after a check said yes
 * (it then throws MetalCapacityExhaustedError).
 */
import { CapacityCheckInputSchema, validateInput } from "./request_schemas.ts";
import { CapacityCheckListSchema, CapacityListSchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { CapacityCheckRequest, CapacityCheckResult, CapacityReport } from "./types.ts";

export type { CapacityCheckRequest, CapacityCheckResult, CapacityReport };

/** `/capacity/metros`. */
export class CapacityApi {
  constructor(private readonly t: MetalTransport) {}

  /** Capacity level (normal, limited, unavailable) of every plan in every metro (`GET /capacity/metros`). */
  async getMetros(opts: { signal?: AbortSignal } = {}): Promise<CapacityReport> {
    const r = await this.t.json(
      { method: "GET", endpoint: "/capacity/metros", signal: opts.signal },
      CapacityListSchema,
    );
    return r.capacity;
  }

  /** Whether each entry's quantity of servers is available (`POST /capacity/metros`), in request order. */
  async checkMetros(
    servers: CapacityCheckRequest[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<CapacityCheckResult[]> {
    const entries = validateInput(CapacityCheckInputSchema, servers, "MetalClient.capacity.checkMetros", "servers");
    const r = await this.t.json({
      method: "POST",
      endpoint: "/capacity/metros",
      // The spec types quantity as a string (ServerInfo.quantity).
      body: { servers: entries.map((s) => ({ metro: s.metro, plan: s.plan, quantity: String(s.quantity) })) },
      // A check changes nothing, so it may be sent again.
      idempotent: true,
      signal: opts.signal,
    }, CapacityCheckListSchema);
    return r.servers.map((s, i) => ({
      metro: s.metro ?? entries[i]?.metro ?? "",
      plan: s.plan ?? entries[i]?.plan ?? "",
      quantity: s.quantity ?? entries[i]?.quantity ?? 0,
      available: s.available,
    }));
  }
}
