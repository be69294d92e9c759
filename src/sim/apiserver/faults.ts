/**
 * Fault injection for tests: latency and error answers per verb/resource/namespace with a probability and a count,
 * forced conflicts, 429 with Retry-After, dropped watches and compaction. Random decisions come from a seeded
 * generator so that runs are reproducible.
 */
import type { Verb } from "./request_info.ts";
import { conflict, type StatusError, tooManyRequests, withCode } from "./status_errors.ts";

/** One fault rule; every matching request is subject to it. */
export interface FaultRule {
  verb?: Verb;
  /** Plural resource name (e.g. `machines`), optionally `resource/subresource`. */
  resource?: string;
  namespace?: string;
  /** Chance that a matching request is affected (default 1). */
  probability?: number;
  /** Answer with this HTTP status instead of serving (409 gives a Conflict Status, 429 adds Retry-After). */
  status?: number;
  retryAfterSeconds?: number;
  /** Delay before serving. */
  latencyMs?: number;
  /** Stop after affecting this many requests. */
  times?: number;
}

export interface FaultInjector {
  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void;
  clear(): void;
  /** Closes every open watch stream (clients must resume from their last resourceVersion). */
  dropWatches(): void;
  /** Forgets the watch history so that resuming from any older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Seed of the random decisions (reproducible runs). */
  seed(n: number): void;
}

/** The request a fault decision is about. */
export interface FaultTarget {
  verb: Verb;
  /** `resource` or `resource/subresource`. */
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
}

/** What to do to one request. */
export interface FaultDecision {
  latencyMs: number;
  error?: StatusError;
}

/** mulberry32: small, fast, good enough for test decisions. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** The server's fault injector; `decide` is consulted once per resource request. */
export class Faults implements FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(private readonly hooks: { dropWatches(): void; compact(): void }, seed = Date.now()) {
    this.random = seeded(seed);
  }

  add(rule: FaultRule): () => void {
    if (rule.probability !== undefined && (rule.probability < 0 || rule.probability > 1)) {
      throw new RangeError(`fault rule probability must be within [0, 1], got ${rule.probability}`);
    }
    const active: ActiveRule = { rule: { ...rule }, remaining: rule.times ?? Infinity };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  dropWatches(): void {
    this.hooks.dropWatches();
  }

  compact(): void {
    this.hooks.compact();
  }

  seed(n: number): void {
    this.random = seeded(n);
  }

  /** True if no rule is installed (the fast path). */
  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Applies every matching rule: latencies add up, the first error wins. */
  decide(t: FaultTarget): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const active of this.rules) {
      const r = active.rule;
      if (active.remaining <= 0) continue;
      if (r.verb !== undefined && r.verb !== t.verb) continue;
      if (r.resource !== undefined && r.resource !== "*" && r.resource !== t.resource) continue;
      if (r.namespace !== undefined && r.namespace !== t.namespace) continue;
      if (r.status === undefined && !r.latencyMs) continue;
      if (r.status !== undefined && decision.error) continue;
      if (this.random() >= (r.probability ?? 1)) continue;
      active.remaining--;
      decision.latencyMs += r.latencyMs ?? 0;
      if (r.status !== undefined) decision.error = faultError(r, t);
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return decision;
  }
}

function faultError(r: FaultRule, t: FaultTarget): StatusError {
  const base = t.resource.split("/")[0];
  switch (r.status) {
    case 409:
      return conflict({ resource: base, group: t.group, name: t.name });
    case 429:
      return tooManyRequests(
        "the server has received too many requests and has asked us to try again later",
        r.retryAfterSeconds ?? 1,
      );
    default: {
      const err = withCode(r.status!, `injected fault: ${r.status} for ${t.verb} ${t.resource}`);
      if (r.retryAfterSeconds !== undefined) err.headers["retry-after"] = String(r.retryAfterSeconds);
      return err;
    }
  }
}
