/**
 * Fault injection for tests: latency and error answers per verb/resource/namespace with a probability and a count,
 * forced conflicts, 429 with Retry-After, dropped watches and compaction: the simulators' fault-rule engine with a
 * verb/resource matcher. Random decisions come from a seeded generator so that runs are reproducible.
 */
import { type FaultRuleBase, FaultRules, type StatusOutcome } from "../kernel/mod.ts";
import type { Verb } from "./http/request_info.ts";
import { conflict, type StatusError, tooManyRequests, withCode } from "./status_errors.ts";

/** One fault rule; every matching request is subject to it. */
export interface FaultRule extends FaultRuleBase {
  verb?: Verb;
  /** Plural resource name (e.g. `machines`), optionally `resource/subresource`. */
  resource?: string;
  namespace?: string;
  /** Answer with this HTTP status instead of serving (409 gives a Conflict Status, 429 adds Retry-After). */
  status?: number;
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

/** The verb/resource/namespace matcher that specialises the simulators' fault-rule engine. */
const MATCHER = {
  matches: (r: FaultRule, t: FaultTarget) =>
    (r.verb === undefined || r.verb === t.verb) &&
    (r.resource === undefined || r.resource === "*" || r.resource === t.resource) &&
    (r.namespace === undefined || r.namespace === t.namespace),
};

/** The server's fault injector; `decide` is consulted once per resource request. */
export class Faults implements FaultInjector {
  private readonly rules: FaultRules<FaultRule, FaultTarget>;

  constructor(private readonly hooks: { dropWatches(): void; compact(): void }, seed: number) {
    this.rules = new FaultRules(MATCHER, seed);
  }

  add(rule: FaultRule): () => void {
    return this.rules.add(rule);
  }

  clear(): void {
    this.rules.clear();
  }

  dropWatches(): void {
    this.hooks.dropWatches();
  }

  compact(): void {
    this.hooks.compact();
  }

  seed(n: number): void {
    this.rules.seed(n);
  }

  /** True if no rule is installed (the fast path). */
  get empty(): boolean {
    return this.rules.empty;
  }

  /** Applies every matching rule: latencies add up, the first error wins. */
  decide(t: FaultTarget): FaultDecision {
    const { latencyMs, outcome } = this.rules.decide(t);
    return outcome ? { latencyMs, error: faultError(outcome, t) } : { latencyMs };
  }
}

function faultError(r: StatusOutcome, t: FaultTarget): StatusError {
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
