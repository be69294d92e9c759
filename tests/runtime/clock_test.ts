import assert from "node:assert/strict";
import { FakeClock } from "../../src/runtime/clock.ts";

Deno.test("FakeClock fires due timers in order and moves time to each due point", async () => {
  const clock = new FakeClock(0);
  const fired: Array<[string, number]> = [];
  clock.setTimeout(() => fired.push(["b", clock.now()]), 200);
  clock.setTimeout(() => fired.push(["a", clock.now()]), 100);
  const later = clock.setTimeout(() => fired.push(["never", clock.now()]), 150);
  clock.clearTimeout(later);
  await clock.advance(150);
  assert.deepEqual(fired, [["a", 100]]);
  assert.equal(clock.now(), 150);
  await clock.advance(1000);
  assert.deepEqual(fired, [["a", 100], ["b", 200]]);
  assert.equal(clock.pending(), 0);
});

Deno.test("FakeClock runs timers scheduled by timers within the same advance", async () => {
  const clock = new FakeClock(0);
  const seen: number[] = [];
  const tick = () => {
    seen.push(clock.now());
    if (seen.length < 5) clock.setTimeout(tick, 10);
  };
  clock.setTimeout(tick, 10);
  await clock.advance(100);
  assert.deepEqual(seen, [10, 20, 30, 40, 50]);
});

Deno.test("sleep resolves after the fake delay and rejects when aborted", async () => {
  const clock = new FakeClock(0);
  let done = false;
  const p = clock.sleep(1000).then(() => (done = true));
  await clock.advance(999);
  assert.equal(done, false);
  await clock.advance(1);
  await p;
  assert.equal(done, true);

  const ac = new AbortController();
  const q = clock.sleep(1000, ac.signal);
  ac.abort(new Error("stop"));
  await assert.rejects(q, /stop/);
  assert.equal(clock.pending(), 0);
});
