/**
 * The controller work queue (client-go semantics): keys are de-duplicated while they wait, a key is handed to at
 * most one worker at a time, and a key added while it is being processed is queued again once `done` is called.
 * Delayed and rate-limited adds run on the injected clock.
 */
import { type Clock, realClock, type Timer } from "../../runtime/clock.ts";
import { counter, gauge } from "../../observability/metrics.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate_limiter.ts";

const depthGauge = gauge({ name: "workqueue_depth", help: "Current depth of the work queue.", labelNames: ["name"] });
const addsCounter = counter({
  name: "workqueue_adds_total",
  help: "Total number of adds handled by the work queue.",
  labelNames: ["name"],
});
const retriesCounter = counter({
  name: "workqueue_retries_total",
  help: "Total number of rate-limited retries handled by the work queue.",
  labelNames: ["name"],
});

export interface WorkQueueOptions {
  /** Label of the queue's metrics (the controller name). */
  name: string;
  rateLimiter?: RateLimiter;
  clock?: Clock;
}

/** A de-duplicating, rate-limited, delaying queue of string keys. */
export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  /** Keys ready to be handed out, in FIFO order (Set iteration follows insertion order). */
  private readonly queued = new Set<string>();
  /** Keys that need processing (queued, or re-added while in flight). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { due: number; timer: Timer }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private stopped = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter({}, this.clock);
    depthGauge.set({ name: this.name }, 0);
  }

  /** Adds a key now; a key already waiting is not added twice. */
  add(key: string): void {
    if (this.stopped) return;
    addsCounter.inc({ name: this.name });
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.queued.add(key);
    this.dispatch();
  }

  /** Adds a key after `delayMs`; of several delayed adds of one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { due, timer });
  }

  /** Adds a key after the rate limiter's delay (a failure or an explicit requeue); returns the delay. */
  addRateLimited(key: string, minDelayMs = 0): number {
    if (this.stopped) return 0;
    retriesCounter.inc({ name: this.name });
    const delay = Math.max(minDelayMs, this.limiter.when(key));
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure history. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** Consecutive rate-limited re-adds of the key since the last `forget`. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Waits for the next key; resolves undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key as processed; if it was re-added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) {
      this.queued.add(key);
      this.dispatch();
    }
  }

  /** Stops handing out keys: waiting `get` calls resolve undefined, delayed adds are cancelled. */
  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.queued.clear();
    this.dirty.clear();
    depthGauge.set({ name: this.name }, 0);
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  /** Keys ready to be handed out. */
  len(): number {
    return this.queued.size;
  }

  /** Keys being processed right now. */
  inFlight(): number {
    return this.processing.size;
  }

  /** Keys scheduled by `addAfter`/`addRateLimited` that are not due yet. */
  delayedLen(): number {
    return this.delayed.size;
  }

  /** Distinct keys that are waiting or in flight. */
  pending(): number {
    let n = this.processing.size;
    for (const k of this.queued) if (!this.processing.has(k)) n++;
    return n;
  }

  private take(): string | undefined {
    const first = this.queued.values().next();
    if (first.done) return undefined;
    const key = first.value;
    this.queued.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    depthGauge.set({ name: this.name }, this.queued.size);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queued.size > 0) {
      const key = this.take()!;
      this.waiters.shift()!(key);
    }
    depthGauge.set({ name: this.name }, this.queued.size);
  }
}
