/** The Watcher's queue: writers never wait, slow consumers are closed, lines are shared and batched. */
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { ChangeEvent } from "../../../src/sim/apiserver/storage/change_event.ts";
import { Watcher } from "../../../src/sim/apiserver/storage/watcher.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";

function event(i: number): ChangeEvent {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `o${i}`, resourceVersion: String(i) },
  };
  return new ChangeEvent("ADDED", i, "configmaps", object, JSON.stringify(object));
}

function watcher(clock: FakeClock, queueLimit: number, closed: Watcher[]): Watcher {
  return new Watcher({
    apiVersion: "v1",
    kind: "ConfigMap",
    matches: () => true,
    queueLimit,
    clock,
    currentRv: () => 0,
    onClose: (w) => closed.push(w),
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const text = await new Response(stream).text();
  return text.split("\n").filter((l) => l).map((l) =>
    (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name
  );
}

Deno.test("a watcher that does not read is closed once its queue exceeds the limit; offering never blocks", async () => {
  const clock = new FakeClock();
  const closed: Watcher[] = [];
  const w = watcher(clock, 5, closed);
  for (let i = 1; i <= 50; i++) w.offer(event(i));
  assert.equal(w.isClosed, true);
  assert.equal(w.closeReason, "slow");
  assert.deepEqual(closed, [w]);
  // The stream ends; what was already handed to it is still readable, the rest was dropped.
  const names = await readAll(w.stream);
  assert.ok(names.length < 50, `got ${names.length} events`);
  assert.equal(clock.pending(), 0);
});

Deno.test("a reading watcher receives every event in order, batched into few chunks", async () => {
  const clock = new FakeClock();
  const closed: Watcher[] = [];
  const w = watcher(clock, 1000, closed);
  const shared = event(1);
  const other = watcher(clock, 1000, closed);
  for (let i = 1; i <= 200; i++) {
    const e = i === 1 ? shared : event(i);
    w.offer(e);
    other.offer(e);
  }
  w.close("stopped");
  other.close("stopped");
  const [a, b] = await Promise.all([readAll(w.stream), readAll(other.stream)]);
  const expected = Array.from({ length: 200 }, (_, i) => `o${i + 1}`);
  assert.deepEqual(a, expected);
  assert.deepEqual(b, expected);
});

Deno.test("initial events do not count against the queue limit", async () => {
  const clock = new FakeClock();
  const w = watcher(clock, 2, []);
  w.sendInitial(Array.from({ length: 20 }, (_, i) => event(i).line("ADDED", "v1")));
  w.offer(event(100));
  assert.equal(w.isClosed, false);
  w.close("stopped");
  assert.equal((await readAll(w.stream)).length, 21);
});
