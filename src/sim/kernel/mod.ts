/**
 * What the simulators share: one seeded random generator, one fault-rule engine that each simulator specialises with
 * its own matcher, one tally for request counters, one loopback listener, one poll loop over informer caches, and
 * metav1.Time text.
 */
export { entropySeed, Rng } from "./rng.ts";
export {
  type FaultDecision,
  type FaultMatcher,
  type FaultRuleBase,
  FaultRules,
  type StatusOf,
  type StatusOutcome,
  validateFaultRule,
} from "./fault_rules.ts";
export { Tally } from "./tally.ts";
export {
  type HttpListener,
  listenerUrl,
  listenHttp,
  lostResponse,
  LostResponseError,
  streamingResponse,
} from "./loopback_listener.ts";
export { type PolledCache, PolledSimulation, PollLoop, type PollLoopOptions } from "./poll_loop.ts";
export { type TimedCondition, withConditionTimes } from "./condition_times.ts";
export { metav1Time, parseTime } from "./metav1_time.ts";
