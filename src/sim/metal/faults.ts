/**
 * Fault injection, per endpoint and seeded: latency, 5xx (500 with the API's JSON body, 502/503/504 with a load
 * balancer's HTML), 429 bursts with `Retry-After` and `X-RateLimit-*`, timeouts (the request hangs until the client
 * gives up) and lost responses (the request takes effect, then the connection drops before the response arrives).
 * Also an optional per-token rate limit whose headers appear on every response.
 */
import { Rng } from "./rng.ts";

/** Statuses a rule can answer with instead of serving the request. */
export type FaultStatus = 429 | 500 | 502 | 503 | 504;

/** One rule; every request matching `method` and `endpoint` is subject to it. */
export interface MetalFaultRule {
  /** HTTP method (any if unset). */
  method?: string;
  /** Endpoint template as counters name it, e.g. `/projects/{id}/devices` (any if unset). */
  endpoint?: string;
  /** Chance that a matching request is affected (default 1). */
  probability?: number;
  /** Let this many matching requests through before the rule starts affecting them. */
  skip?: number;
  /** Stop after affecting this many requests. */
  times?: number;
  /** Delay before the request is served (by the simulator's clock). */
  latencyMs?: number;
  /** Answer with this status instead of serving the request (no effect takes place). */
  status?: FaultStatus;
  /** `Retry-After` of a 429/503 (seconds; default 1 for 429). */
  retryAfterSeconds?: number;
  /** Hang until the client aborts; with `"after-effect"` the request takes effect first. */
  timeout?: true | "after-effect";
  /** Apply the request, then drop the connection before the response. */
  loseResponse?: boolean;
}

/** What happens to one request. */
export interface FaultDecision {
  latencyMs: number;
  outcome?:
    | { kind: "status"; status: FaultStatus; retryAfterSeconds?: number }
    | { kind: "timeout"; afterEffect: boolean }
    | { kind: "lost" };
}

interface ActiveRule {
  rule: MetalFaultRule;
  seen: number;
  affected: number;
}

/** A fixed-window request limit per token. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in milliseconds (default 60 s). */
  windowMs?: number;
}

/** The fault injector of one simulator. */
export class MetalFaults {
  private rules: ActiveRule[] = [];
  private rng: Rng;
  private injected = new Map<string, number>();
  private limit?: Required<RateLimitOptions>;
  private windows = new Map<string, { start: number; count: number }>();

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: MetalFaultRule): () => void {
    if (rule.probability !== undefined && (rule.probability < 0 || rule.probability > 1)) {
      throw new Error(`fault rule probability must be within [0, 1], got ${rule.probability}`);
    }
    const active = { rule, seen: 0, affected: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  /** Removes every rule (the rate limit stays). */
  clear(): void {
    this.rules = [];
  }

  /** Reseeds the random decisions (reproducible runs). */
  seed(n: number): void {
    this.rng = new Rng(n);
  }

  /** Enables (or with `undefined` disables) the per-token rate limit. */
  rateLimit(opts: RateLimitOptions | undefined): void {
    this.limit = opts ? { limit: opts.limit, windowMs: opts.windowMs ?? 60_000 } : undefined;
    this.windows.clear();
  }

  /** How many requests each kind of fault affected, by `<kind> <METHOD> <endpoint>`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.injected);
  }

  /** Decides the fate of one request (consumes `times`/`skip` budgets and random draws). */
  decide(method: string, endpoint: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.endpoint && rule.endpoint !== endpoint) continue;
      active.seen++;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && active.affected >= rule.times) continue;
      if (rule.probability !== undefined && this.rng.next() >= rule.probability) continue;
      const outcome = rule.status !== undefined
        ? { kind: "status" as const, status: rule.status, retryAfterSeconds: rule.retryAfterSeconds }
        : rule.timeout !== undefined
        ? { kind: "timeout" as const, afterEffect: rule.timeout === "after-effect" }
        : rule.loseResponse
        ? { kind: "lost" as const }
        : undefined;
      // Latency accumulates; the first rule with an outcome decides it, later ones with outcomes do not fire.
      if (outcome && decision.outcome) continue;
      active.affected++;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (outcome) decision.outcome = outcome;
      const kind = outcome ? (outcome.kind === "status" ? String(outcome.status) : outcome.kind) : "latency";
      const key = `${kind} ${method} ${endpoint}`;
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
    }
    return decision;
  }

  /**
   * Counts a request against the token's window. Returns the `X-RateLimit-*` headers (none when no limit is set)
   * and whether the request is over the limit.
   */
  consume(
    token: string,
    now: number,
  ): { headers: Record<string, string>; limited: boolean; retryAfterSeconds: number } {
    if (!this.limit) return { headers: {}, limited: false, retryAfterSeconds: 0 };
    const { limit, windowMs } = this.limit;
    let w = this.windows.get(token);
    if (!w || now >= w.start + windowMs) {
      w = { start: now - (now % windowMs), count: 0 };
      this.windows.set(token, w);
    }
    w.count++;
    const reset = w.start + windowMs;
    return {
      headers: {
        "X-RateLimit-Limit": String(limit),
        "X-RateLimit-Remaining": String(Math.max(0, limit - w.count)),
        "X-RateLimit-Reset": String(Math.ceil(reset / 1000)),
      },
      limited: w.count > limit,
      retryAfterSeconds: Math.max(1, Math.ceil((reset - now) / 1000)),
    };
  }

  /** The configured limit (for the headers of injected 429s). */
  get configuredLimit(): number | undefined {
    return this.limit?.limit;
  }
}
