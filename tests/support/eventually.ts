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
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${opts.description ?? "condition"}: last result ${detail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
