/** Kubernetes-style condition timestamps, as the simulated controllers write them. Pure. */

/** The fields of a condition that decide its times. */
export interface TimedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/**
 * `next` with times: a condition whose status is unchanged keeps its lastTransitionTime, and its lastUpdateTime as
 * long as reason and message are unchanged too; anything else gets `now`.
 */
export function withConditionTimes<C extends TimedCondition>(
  previous: readonly C[] | undefined,
  next: readonly C[],
  now: string,
): C[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const same = old?.status === c.status;
    const unchanged = same && old?.reason === c.reason && old?.message === c.message;
    return {
      ...c,
      lastTransitionTime: same && old?.lastTransitionTime ? old.lastTransitionTime : now,
      lastUpdateTime: unchanged && old?.lastUpdateTime ? old.lastUpdateTime : now,
    };
  });
}
