/**
 * The fault-rule engine both simulators specialise. A rule matches some requests (the specialisation's matcher:
 * verb/resource for the API server, method/endpoint for the Metal API) and affects them with a probability, after
 * letting `skip` of them through and at most `times` of them: it adds latency and/or answers with a status (with an
 * optional Retry-After) or another outcome the specialisation knows (a hang, a lost response). Latencies of every
 * affecting rule add up; the first rule with an outcome decides it. Decisions draw from a seeded `Rng`, so a seed
 * gives a reproducible pattern.
 */
import { Rng } from "./rng.ts";

/** What every fault rule has, whatever requests it matches. */
export interface FaultRuleBase<S extends number = number> {
  /** Chance that a matching request is affected (default 1). */
  probability?: number;
  /** Let this many matching requests through before the rule starts affecting them. */
  skip?: number;
  /** Stop after affecting this many requests. */
  times?: number;
  /** Delay before the request is served (by the simulator's clock). */
  latencyMs?: number;
  /** Answer with this status instead of serving the request. */
  status?: S;
  /** `Retry-After` of the answer (seconds). */
  retryAfterSeconds?: number;
}

/** The status answer a rule imposes. */
export interface StatusOutcome<S extends number = number> {
  kind: "status";
  status: S;
  retryAfterSeconds?: number;
}

/** What happens to one request: added latency and at most one outcome. */
export interface FaultDecision<O> {
  latencyMs: number;
  outcome?: O;
}

/** How a simulator specialises the engine: which requests a rule matches, and outcomes other than a status. */
export interface FaultMatcher<R, T, X> {
  matches(rule: R, target: T): boolean;
  /** An outcome other than a status answer (used when the rule sets no `status`), or undefined for none. */
  otherOutcome?(rule: R): X | undefined;
  /** Called for every request a rule affects (e.g. to tally what was injected). */
  affected?(rule: R, target: T, outcome: StatusOutcome<StatusOf<R>> | X | undefined): void;
}

/** The status type of a rule type. */
export type StatusOf<R> = R extends FaultRuleBase<infer S> ? S : number;

interface ActiveRule<R> {
  rule: R;
  seen: number;
  affected: number;
}

/** Throws a RangeError naming the field when a rule's numbers are out of range. */
export function validateFaultRule(rule: FaultRuleBase): void {
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new RangeError(`fault rule probability must be within [0, 1], got ${rule.probability}`);
  }
}

/** An ordered set of fault rules and the seeded generator their decisions draw from. */
export class FaultRules<R extends FaultRuleBase<number>, T, X = never> {
  private rules: ActiveRule<R>[] = [];
  private rng: Rng;

  constructor(private readonly matcher: FaultMatcher<R, T, X>, seed: number) {
    this.rng = new Rng(seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: R): () => void {
    validateFaultRule(rule);
    const active: ActiveRule<R> = { rule: { ...rule }, seen: 0, affected: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Reseeds the random decisions (reproducible runs). */
  seed(n: number): void {
    this.rng = new Rng(n);
  }

  /** True if no rule is installed (the fast path). */
  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Decides the fate of one request (consumes `skip`/`times` budgets and random draws). */
  decide(target: T): FaultDecision<StatusOutcome<StatusOf<R>> | X> {
    const decision: FaultDecision<StatusOutcome<StatusOf<R>> | X> = { latencyMs: 0 };
    for (const active of this.rules) {
      const { rule } = active;
      if (!this.matcher.matches(rule, target)) continue;
      active.seen++;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && active.affected >= rule.times) continue;
      const outcome = this.outcomeOf(rule);
      // A rule that neither delays nor answers affects nothing (and spends no budget).
      if (outcome === undefined && !rule.latencyMs) continue;
      if (rule.probability !== undefined && this.rng.next() >= rule.probability) continue;
      if (outcome !== undefined && decision.outcome !== undefined) continue;
      active.affected++;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (outcome !== undefined) decision.outcome = outcome;
      this.matcher.affected?.(rule, target, outcome);
    }
    this.rules = this.rules.filter((r) => r.rule.times === undefined || r.affected < r.rule.times);
    return decision;
  }

  private outcomeOf(rule: R): StatusOutcome<StatusOf<R>> | X | undefined {
    if (rule.status !== undefined) {
      return { kind: "status", status: rule.status as StatusOf<R>, retryAfterSeconds: rule.retryAfterSeconds };
    }
    return this.matcher.otherOutcome?.(rule);
  }
}
