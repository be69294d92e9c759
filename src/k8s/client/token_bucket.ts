/**
 * A token bucket (like golang.org/x/time/rate): `burst` tokens, refilled at `qps` per second. Callers reserve a token
 * and are told how long to wait for it, so waiters queue up fairly instead of polling.
 */
import { type Clock, realClock } from "../../runtime/clock.ts";

export interface TokenBucketOptions {
  /** Tokens added per second; must be > 0. */
  qps: number;
  /** Capacity; at least 1. */
  burst: number;
  clock?: Clock;
}

/** Client-side rate limit shared by the Kubernetes client and the work queue's overall limiter. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly clock: Clock;
  readonly qps: number;
  readonly burst: number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.qps > 0) || !Number.isFinite(opts.qps)) {
      throw new Error(`token bucket: qps must be a positive number, got ${opts.qps}`);
    }
    if (!(opts.burst >= 1) || !Number.isFinite(opts.burst)) {
      throw new Error(`token bucket: burst must be at least 1, got ${opts.burst}`);
    }
    this.qps = opts.qps;
    this.burst = Math.floor(opts.burst);
    this.clock = opts.clock ?? realClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
  }

  /** Takes one token now (possibly going into debt) and returns how many ms the caller must wait before using it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  /** Takes a token only if one is available right now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits until a token is available and takes it; an aborted wait gives the token back. */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay <= 0) return;
    try {
      await this.clock.sleep(delay, signal);
    } catch (e) {
      this.tokens = Math.min(this.burst, this.tokens + 1);
      throw e;
    }
  }

  /** Tokens available now (may be negative while reservations are outstanding). */
  available(): number {
    this.refill();
    return this.tokens;
  }
}
