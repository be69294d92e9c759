/**
 * The loop a simulation runs over its informer caches: start them, wait for their sync, then run one pass every
 * period of the clock (never two at once) until the signal aborts; stopping waits for the running pass and the caches.
 */
import type { Clock, Timer } from "../../runtime/clock.ts";

/** What the loop starts, waits for and stops (an informer). */
export interface PolledCache {
  start(signal: AbortSignal): void;
  waitForSync(signal?: AbortSignal): Promise<void>;
  stopped(): Promise<void>;
}

/** Options of a `PollLoop`. */
export interface PollLoopOptions {
  clock: Clock;
  /** Time between the end of a pass and the start of the next. */
  periodMs: number;
  caches: readonly PolledCache[];
  /** One pass over the caches; the loop logs nothing, so a pass handles its own errors. */
  pass: () => Promise<void>;
}

/** A simulation's periodic pass over its caches. */
export class PollLoop {
  #timer?: Timer;
  #pass?: Promise<void>;
  #stopped = false;

  constructor(private readonly opts: PollLoopOptions) {}

  /** True once the signal given to `run` aborted: a pass in progress should stop writing. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Starts the caches and the passes; resolves when `signal` aborts and the last pass and the caches finished. */
  async run(signal: AbortSignal): Promise<void> {
    for (const c of this.opts.caches) c.start(signal);
    const done = new Promise<void>((resolve) => {
      signal.addEventListener("abort", async () => {
        this.#stopped = true;
        if (this.#timer) this.opts.clock.clearTimeout(this.#timer);
        await this.#pass;
        for (const c of this.opts.caches) await c.stopped();
        resolve();
      }, { once: true });
    });
    try {
      for (const c of this.opts.caches) await c.waitForSync(signal);
      this.#schedule(0);
    } catch {
      // stopped before the first sync
    }
    await done;
  }

  /** Runs one pass now, after the one in progress (tests). */
  async syncNow(): Promise<void> {
    await this.#pass;
    this.#pass = this.#runPass();
    await this.#pass;
  }

  /** Runs `work` after the pass in progress, in the passes' turn (work an event asks for between passes). */
  after(work: () => Promise<void>): void {
    this.#pass = (this.#pass ?? Promise.resolve()).then(work);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.opts.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pass = this.#runPass().finally(() => this.#schedule(this.opts.periodMs));
    }, ms);
  }

  #runPass(): Promise<void> {
    return this.#stopped ? Promise.resolve() : this.opts.pass();
  }
}

/** A simulation driven by a `PollLoop`: its `start`, `syncNow` and `stopped` are the loop's. */
export abstract class PolledSimulation {
  protected abstract readonly loop: PollLoop;

  /** Starts the informers and the poll loop; resolves when `signal` aborts and the last pass finished. */
  start(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  /** Runs one pass now (tests). */
  syncNow(): Promise<void> {
    return this.loop.syncNow();
  }

  /** True once stopping: a pass in progress should stop writing. */
  protected get stopped(): boolean {
    return this.loop.stopped;
  }
}
