/** Polling helpers for tests that wait on asynchronous controllers over real I/O. */

export interface EventuallyOptions {
  /** Give up after this long (real time). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the failure message. */
  description?: string;
}

/** Resolves with the first truthy value `probe` returns; throws with the last error or value after the timeout. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  opts: EventuallyOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const r = await attempt(probe);
    if (r.done) return r.value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${opts.description ?? "condition"}: last result ${describeResult(r.last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}

/** One call of a probe: its truthy value, or what it returned or threw instead. */
export async function attempt<T>(
  probe: () => T | Promise<T>,
): Promise<{ done: true; value: NonNullable<T> } | { done: false; last: unknown }> {
  try {
    const v = await probe();
    return v ? { done: true, value: v as NonNullable<T> } : { done: false, last: v };
  } catch (e) {
    return { done: false, last: e };
  }
}

/** A probe's last result for a failure message. */
export function describeResult(last: unknown): string {
  return last instanceof Error ? last.message : JSON.stringify(last);
}
