/**
 * Fault injection, per endpoint and seeded: latency, 5xx (500 with the API's JSON body, 502/503/504 with a load
 * balancer's HTML), 429 bursts with `Retry-After` and `X-RateLimit-*`, timeouts (the request hangs until the client
 * gives up) and lost responses (the request takes effect, then the connection drops before the response arrives).
 * Also an optional per-token rate limit whose headers appear on every response. The rules are the simulators'
 * fault-rule engine with a method/endpoint matcher and two more outcomes (timeout, lost response). A late commit
 * (`lateCommitMs` on a lost response or an after-effect timeout) makes what the request created invisible to GET and
 * listings for that long, as an API still committing the create when the client gives up and looks.
 */
import { type FaultRuleBase, FaultRules, type StatusOutcome, Tally } from "../kernel/mod.ts";

/** Statuses a rule can answer with instead of serving the request. */
export type FaultStatus = 429 | 500 | 502 | 503 | 504;

/** One rule; every request matching `method` and `endpoint` is subject to it. */
export interface MetalFaultRule extends FaultRuleBase<FaultStatus> {
  /** HTTP method (any if unset). */
  method?: string;
  /** Endpoint template as counters name it, e.g. `/projects/{id}/devices` (any if unset). */
  endpoint?: string;
  /** Answer with this status instead of serving the request (no effect takes place). */
  status?: FaultStatus;
  /** `Retry-After` of a 429/503 (seconds; default 1 for 429). */
  retryAfterSeconds?: number;
  /** Hang until the client aborts; with `"after-effect"` the request takes effect first. */
  timeout?: true | "after-effect";
  /** Apply the request, then drop the connection before the response. */
  loseResponse?: boolean;
  /**
   * With `loseResponse` or `timeout: "after-effect"`: a device the request creates stays invisible (404 on GET,
   * absent from listings) for this long, a create still being committed when the client looks for it.
   */
  lateCommitMs?: number;
}

/** Outcomes of the Metal API besides a status answer. */
type OtherOutcome =
  | { kind: "timeout"; afterEffect: boolean; lateCommitMs?: number }
  | { kind: "lost"; lateCommitMs?: number };

/** What happens to one request. */
export interface FaultDecision {
  latencyMs: number;
  outcome?: StatusOutcome<FaultStatus> | OtherOutcome;
}

/** The request a rule is matched against. */
interface Target {
  method: string;
  endpoint: string;
}

/** A fixed-window request limit per token. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in milliseconds (default 60 s). */
  windowMs?: number;
}

/** How long a late-committed create stays invisible by default (longer than a quick re-check, shorter than 30 s). */
export const DEFAULT_LATE_COMMIT_MS = 15_000;

/** A run's random faults as shares of requests (percent); absent or 0: none of that kind. */
export interface MetalFaultProfile {
  /** Requests that take effect but whose response is lost. */
  lostResponsePercent?: number;
  /** Requests answered 500 or 503 (half each) without effect. */
  serverErrorPercent?: number;
  /** Device creates whose response is lost and which become visible only `lateCommitMs` later. */
  lateCommitPercent?: number;
  /** Default `DEFAULT_LATE_COMMIT_MS`. */
  lateCommitMs?: number;
}

/** The rules of a profile, in the order they are to be added (pure). */
export function profileRules(p: MetalFaultProfile): MetalFaultRule[] {
  const rules: MetalFaultRule[] = [];
  if (p.lateCommitPercent) {
    rules.push({
      method: "POST",
      endpoint: "/projects/{id}/devices",
      loseResponse: true,
      lateCommitMs: p.lateCommitMs ?? DEFAULT_LATE_COMMIT_MS,
      probability: p.lateCommitPercent / 100,
    });
  }
  if (p.lostResponsePercent) rules.push({ loseResponse: true, probability: p.lostResponsePercent / 100 });
  if (p.serverErrorPercent) {
    const probability = p.serverErrorPercent / 200;
    rules.push({ status: 500, probability }, { status: 503, probability });
  }
  return rules;
}

/** The fault injector of one simulator. */
export class MetalFaults {
  private readonly rules: FaultRules<MetalFaultRule, Target, OtherOutcome>;
  private readonly injected = new Tally();
  private limit?: Required<RateLimitOptions>;
  private windows = new Map<string, { start: number; count: number }>();

  constructor(seed: number) {
    this.rules = new FaultRules({
      matches: (rule, t) =>
        (!rule.method || rule.method.toUpperCase() === t.method) && (!rule.endpoint || rule.endpoint === t.endpoint),
      otherOutcome: (rule) =>
        rule.timeout !== undefined
          ? { kind: "timeout", afterEffect: rule.timeout === "after-effect", lateCommitMs: rule.lateCommitMs }
          : rule.loseResponse
          ? { kind: "lost", lateCommitMs: rule.lateCommitMs }
          : undefined,
      affected: (_rule, t, outcome) => {
        const base = outcome ? (outcome.kind === "status" ? String(outcome.status) : outcome.kind) : "latency";
        const kind = outcome && outcome.kind !== "status" && outcome.lateCommitMs ? "late-commit" : base;
        this.injected.record(`${kind} ${t.method} ${t.endpoint}`);
      },
    }, seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: MetalFaultRule): () => void {
    if (rule.lateCommitMs !== undefined && !(rule.lateCommitMs >= 0 && Number.isFinite(rule.lateCommitMs))) {
      throw new RangeError(`fault rule lateCommitMs must be a number >= 0, got ${rule.lateCommitMs}`);
    }
    return this.rules.add(rule);
  }

  /** Adds the rules of a profile; returns a function that removes them. */
  addProfile(p: MetalFaultProfile): () => void {
    const removers = profileRules(p).map((r) => this.add(r));
    return () => removers.forEach((remove) => remove());
  }

  /** Removes every rule (the rate limit stays). */
  clear(): void {
    this.rules.clear();
  }

  /** Reseeds the random decisions (reproducible runs). */
  seed(n: number): void {
    this.rules.seed(n);
  }

  /** Enables (or with `undefined` disables) the per-token rate limit. */
  rateLimit(opts: RateLimitOptions | undefined): void {
    this.limit = opts ? { limit: opts.limit, windowMs: opts.windowMs ?? 60_000 } : undefined;
    this.windows.clear();
  }

  /** How many requests each kind of fault affected, by `<kind> <METHOD> <endpoint>`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.injected.entries());
  }

  /** Decides the fate of one request (consumes `times`/`skip` budgets and random draws). */
  decide(method: string, endpoint: string): FaultDecision {
    return this.rules.decide({ method, endpoint });
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
