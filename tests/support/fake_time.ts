/**
 * Moving a FakeClock in steps from a test while real I/O (HTTP to fake API servers, simulators) settles in between:
 * `pumpUntil` waits for a condition, `pumpFor` lets a span of fake time pass.
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
