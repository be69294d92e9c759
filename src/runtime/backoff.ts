/** Exponential backoff with jitter, shared by the Metal client, informers and work queues. */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
  /** Growth per attempt (2 doubles). */
  factor: number;
  /** Fraction of the delay that is randomised: 0.2 gives a delay in [0.8d, 1.2d]. */
  jitter: number;
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt)));
  const spread = base * policy.jitter;
  return Math.max(0, Math.min(policy.maxMs, base - spread + 2 * spread * random()));
}
