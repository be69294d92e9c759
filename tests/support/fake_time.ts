/**
 * Moving a FakeClock in steps while real I/O (HTTP to fake API servers, simulators) settles in between, the one
 * fake-time driver of the tests. In the foreground the test decides when time moves: `pumpUntil` waits for a
 * condition, `pumpFor` lets a span of fake time pass. In the background a `FakeTimeDriver` moves it on its own while
 * the test awaits code that waits inside (a landscape's phases, the playground).
 */
import { type FakeClock, yieldToEventLoop } from "../../src/runtime/clock.ts";
import { attempt, describeResult } from "./eventually.ts";

/** Lets queued callbacks and a little real time run, so I/O started by the last step can progress. */
async function settle(yields: number, realMs: number): Promise<void> {
  for (let i = 0; i < yields; i++) await yieldToEventLoop();
  await new Promise((r) => setTimeout(r, realMs));
}

/**
 * Advances `clock` by `stepMs` at a time until `probe` returns a truthy value; fails naming `what` and the last
 * result after `maxMs` of fake time or `realMs` of real time.
 */
export async function pumpUntil<T>(
  clock: FakeClock,
  probe: () => T | Promise<T>,
  opts: { what?: string; stepMs?: number; maxMs?: number; realMs?: number } = {},
): Promise<NonNullable<T>> {
  const step = opts.stepMs ?? 1000;
  const maxMs = opts.maxMs ?? Number.POSITIVE_INFINITY;
  const start = clock.now();
  const realDeadline = Date.now() + (opts.realMs ?? 20_000);
  for (;;) {
    await settle(3, 3);
    const r = await attempt(probe);
    if (r.done) return r.value;
    if (clock.now() - start > maxMs || Date.now() > realDeadline) {
      throw new Error(`timed out waiting for ${opts.what ?? "condition"} (last: ${describeResult(r.last)})`);
    }
    await clock.advance(step);
  }
}

/** Lets `ms` of fake time pass in `stepMs` steps, letting I/O settle between them ("nothing happens before X"). */
export async function pumpFor(clock: FakeClock, ms: number, stepMs = 1000): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await settle(3, 3);
    await clock.advance(Math.min(stepMs, ms - t));
  }
  await settle(5, 10);
}

/**
 * Moves a FakeClock forward in the background until stopped: every couple of real milliseconds (so that real I/O can
 * progress) the clock moves by a fixed step, firing whatever timers fall due. Steps are small enough that a request in
 * flight does not see its timeout expire (a 30 s Metal client timeout is 120 steps), large enough that minutes of
 * retries and resyncs pass in seconds.
 */
export class FakeTimeDriver {
  private running = false;
  private loop?: Promise<void>;

  constructor(readonly clock: FakeClock, readonly stepMs = 250, readonly pauseMs = 2) {}

  /** Starts advancing. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await settle(0, this.pauseMs);
        await this.clock.advance(this.stepMs);
      }
    })();
    return this;
  }

  /** Stops advancing; resolves once the last step is done. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Runs `fn` while the clock is being driven (stops it afterwards, also on failure). */
  async during<T>(fn: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await fn();
    } finally {
      await this.stop();
    }
  }
}
