/**
 * Drives a FakeClock in the background for end-to-end runs: every couple of real milliseconds (so that real I/O —
 * HTTP to the fake API servers and the Metal simulator — can progress) the clock moves by a fixed step, firing
 * whatever timers fall due. Steps are small enough that a request in flight does not see its timeout expire (a
 * 30 s Metal client timeout is 120 steps), large enough that minutes of retries and resyncs pass in seconds.
 */
import type { FakeClock } from "../../src/runtime/clock.ts";

/** Moves a FakeClock forward in the background until stopped. */
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
        await new Promise((r) => setTimeout(r, this.pauseMs));
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
