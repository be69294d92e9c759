/**
 * Rate limiters of the controller work queue: how long to wait before a key that failed (or asked to be requeued)
 * is processed again. The default combines a per-key exponential backoff with an overall token bucket and takes
 * the larger delay, as controller-runtime does.
 */
import { type Clock, realClock } from "../../runtime/clock.ts";
import { TokenBucket } from "../client/token_bucket.ts";

/** Decides the delay of a rate-limited re-add and tracks failures per key. */
export interface RateLimiter {
  /** Delay in ms before `key` may be processed again; counts as one more failure of the key. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** Consecutive failures recorded for `key`. */
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base·2^failures, capped at max. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(readonly baseDelayMs: number, readonly maxDelayMs: number) {
    if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
      throw new Error(`rate limiter: need 0 <= baseDelayMs <= maxDelayMs, got ${baseDelayMs} and ${maxDelayMs}`);
    }
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; Math.min keeps the cap.
    return Math.min(this.maxDelayMs, this.baseDelayMs * Math.pow(2, n));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** Overall rate limit over all keys: each rate-limited re-add takes one token. */
export class BucketRateLimiter implements RateLimiter {
  readonly bucket: TokenBucket;

  constructor(qps: number, burst: number, clock: Clock = realClock) {
    this.bucket = new TokenBucket({ qps, burst, clock });
  }

  when(_key: string): number {
    return this.bucket.reserve();
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** Combines limiters: the delay is the largest of theirs, failures the largest count. */
export class MaxOfRateLimiter implements RateLimiter {
  constructor(private readonly limiters: RateLimiter[]) {}

  when(key: string): number {
    // Every limiter must see the call (the bucket takes a token, the backoff counts a failure).
    return this.limiters.map((l) => l.when(key)).reduce((a, b) => Math.max(a, b), 0);
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiters.map((l) => l.numRequeues(key)).reduce((a, b) => Math.max(a, b), 0);
  }
}

/** Defaults of controller-runtime: 5 ms → 1000 s per key, 10 qps with burst 100 overall. */
export const DEFAULT_RATE_LIMITS = { baseDelayMs: 5, maxDelayMs: 1_000_000, qps: 10, burst: 100 } as const;

/** The default controller rate limiter, with any of its four parameters overridden. */
export function defaultControllerRateLimiter(
  opts: { baseDelayMs?: number; maxDelayMs?: number; qps?: number; burst?: number } = {},
  clock: Clock = realClock,
): RateLimiter {
  const o = { ...DEFAULT_RATE_LIMITS, ...stripUndefined(opts) };
  return new MaxOfRateLimiter([
    new ItemExponentialRateLimiter(o.baseDelayMs, o.maxDelayMs),
    new BucketRateLimiter(o.qps, o.burst, clock),
  ]);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
