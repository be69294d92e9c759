import assert from "node:assert/strict";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { WorkQueue } from "../../../src/k8s/controller/workqueue.ts";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
} from "../../../src/k8s/controller/rate_limiter.ts";
import { TokenBucket } from "../../../src/k8s/client/token_bucket.ts";
import { registry } from "../../../src/observability/metrics.ts";

async function metricValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = registry.getSingleMetric(name);
  if (!m) return undefined;
  const data = await m.get();
  return data.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

Deno.test("work queue de-duplicates waiting keys and hands them out in FIFO order", async () => {
  const q = new WorkQueue({ name: "wq-dedup", clock: new FakeClock() });
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  assert.equal(q.len(), 0);
  assert.equal(q.inFlight(), 2);
  q.done("a");
  q.done("b");
  assert.equal(q.pending(), 0);
  q.shutDown();
});

Deno.test("a key re-added while in flight is handed out again only after done()", async () => {
  const q = new WorkQueue({ name: "wq-inflight", clock: new FakeClock() });
  q.add("k");
  assert.equal(await q.get(), "k");
  q.add("k");
  q.add("k");
  assert.equal(q.len(), 0, "not queued while in flight");
  let second: string | undefined;
  const waiting = q.get().then((k) => (second = k));
  await Promise.resolve();
  assert.equal(second, undefined, "a second worker must not get the in-flight key");
  q.done("k");
  await waiting;
  assert.equal(second, "k", "processed again after the current run");
  q.done("k");
  assert.equal(q.pending(), 0);
  q.shutDown();
});

Deno.test("addAfter fires on the injected clock and keeps the earliest of several delays", async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ name: "wq-after", clock });
  q.addAfter("x", 1000);
  q.addAfter("x", 5000); // later: ignored
  q.addAfter("y", 3000);
  q.addAfter("y", 500); // earlier: replaces
  assert.equal(q.delayedLen(), 2);
  await clock.advance(499);
  assert.equal(q.len(), 0);
  await clock.advance(1);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), "y");
  await clock.advance(500);
  assert.equal(await q.get(), "x");
  assert.equal(clock.pending(), 0, "no timers left (the 3000 and 5000 ms adds were dropped)");
  q.shutDown();
});

Deno.test("addRateLimited backs off exponentially per key; forget resets; adds and retries are counted", async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({
    name: "wq-ratelimited",
    clock,
    rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000),
  });
  assert.deepEqual([q.addRateLimited("k"), q.addRateLimited("k"), q.addRateLimited("k")], [5, 10, 20]);
  assert.equal(q.numRequeues("k"), 3);
  q.forget("k");
  assert.equal(q.numRequeues("k"), 0);
  assert.equal(q.addRateLimited("k"), 5);
  assert.equal(q.addRateLimited("k", 2000), 2000, "a minimum delay (Retry-After) wins over a shorter backoff");
  assert.equal(await metricValue("workqueue_retries_total", { name: "wq-ratelimited" }), 5);
  await clock.advance(5);
  assert.equal(q.len(), 1);
  assert.equal(await metricValue("workqueue_depth", { name: "wq-ratelimited" }), 1);
  assert.equal(await metricValue("workqueue_adds_total", { name: "wq-ratelimited" }), 1);
  q.shutDown();
});

Deno.test("shutDown releases waiting workers, drops queued and delayed keys, ignores later adds", async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ name: "wq-shutdown", clock });
  const w1 = q.get();
  const w2 = q.get();
  q.shutDown();
  assert.deepEqual(await Promise.all([w1, w2]), [undefined, undefined]);
  q.add("late");
  q.addAfter("later", 10);
  assert.equal(q.len(), 0);
  assert.equal(clock.pending(), 0);
  assert.equal(await q.get(), undefined);
});

Deno.test("exponential limiter: 5 ms doubling, capped at the maximum, per key", () => {
  const l = new ItemExponentialRateLimiter(5, 1_000_000);
  const delays = Array.from({ length: 30 }, () => l.when("a"));
  assert.equal(delays[0], 5);
  assert.equal(delays[1], 10);
  assert.equal(delays[10], 5 * 1024);
  assert.equal(delays[29], 1_000_000, "capped at 1000 s");
  assert.equal(l.when("b"), 5, "other keys have their own history");
  for (let i = 0; i < 2000; i++) l.when("a"); // 2^2000 is Infinity: the cap must still hold
  assert.equal(l.when("a"), 1_000_000);
  assert.throws(() => new ItemExponentialRateLimiter(10, 5), /baseDelayMs <= maxDelayMs/);
});

Deno.test("bucket limiter: the burst is free, then one token per 1/qps", async () => {
  const clock = new FakeClock();
  const l = new BucketRateLimiter(10, 3, clock);
  assert.deepEqual([l.when("a"), l.when("b"), l.when("c")], [0, 0, 0]);
  assert.equal(l.when("d"), 100);
  assert.equal(l.when("e"), 200, "reservations queue up behind each other");
  await clock.advance(1000);
  assert.equal(l.when("f"), 0, "refilled (up to the burst)");
});

Deno.test("default controller limiter takes the larger of backoff and bucket delays", () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter({ qps: 1, burst: 2 }, clock);
  assert.equal(l.when("a"), 5); // bucket 0, backoff 5
  assert.equal(l.when("a"), 10); // bucket 0, backoff 10
  assert.equal(l.when("b"), 1000, "bucket is empty: 1 s at 1 qps beats the 5 ms backoff");
  assert.equal(l.numRequeues("a"), 2);
  l.forget("a");
  assert.equal(l.numRequeues("a"), 0);
  const max = new MaxOfRateLimiter([new ItemExponentialRateLimiter(1, 10), new ItemExponentialRateLimiter(3, 10)]);
  assert.equal(max.when("k"), 3);
});

Deno.test("token bucket: take waits on the clock, an aborted wait returns its token", async () => {
  const clock = new FakeClock();
  const b = new TokenBucket({ qps: 2, burst: 1, clock });
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), false);
  let done = false;
  const p = b.take().then(() => (done = true));
  await clock.advance(499);
  assert.equal(done, false);
  await clock.advance(1);
  await p;
  assert.equal(done, true);
  const ac = new AbortController();
  const aborted = b.take(ac.signal);
  ac.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  assert.ok(Math.abs(b.available() - 0) < 1e-9, "the aborted reservation was given back");
  assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }), /qps must be a positive number/);
  assert.throws(() => new TokenBucket({ qps: 1, burst: 0 }), /burst must be at least 1/);
});
