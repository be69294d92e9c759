/**
 * Time as a dependency. Production code takes a `Clock` so that tests can jump over 10-minute requeue periods and
 * 20-minute timeouts with `FakeClock.advance()` while network I/O still runs for real.
 */

/** Opaque handle of a scheduled callback. */
export interface Timer {
  readonly id: number;
}

/** The time source every controller, client and simulator uses. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): Timer {
    // Deno returns a number; Node's typings (pulled in by npm packages) claim an object.
    return { id: globalThis.setTimeout(fn, Math.max(0, ms)) as unknown as number };
  }
  clearTimeout(timer: Timer): void {
    globalThis.clearTimeout(timer.id);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

/** The wall clock. */
export const realClock: Clock = new RealClock();

interface Scheduled {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A manually advanced clock. `advance(ms)` fires due timers in order, yielding to the event loop between them so
 * that promise chains and real I/O started by one timer can progress before the next fires.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private timers = new Map<number, Scheduled>();

  constructor(start: number | Date = Date.UTC(2026, 10, 21, 0, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimeout(timer: Timer): void {
    this.timers.delete(timer.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of pending timers (tests assert that nothing is left scheduled). */
  pending(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers.values()) if (min === undefined || t.due < min) min = t.due;
    return min;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliestDueBy(target);
      if (!next) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await yieldToEventLoop();
    }
    this.current = target;
    await yieldToEventLoop();
  }

  /** Sets the time without firing timers that would fall due (for start-up fixtures only). */
  set(now: number | Date): void {
    this.current = typeof now === "number" ? now : now.getTime();
  }

  private earliestDueBy(target: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.timers.values()) {
      if (t.due > target) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets queued microtasks and ready I/O callbacks run (one real macrotask turn). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}
