/** The bounded watch history (ring buffer). */
import assert from "node:assert/strict";
import { ChangeEvent } from "../../../src/sim/apiserver/storage/change_event.ts";
import { WatchHistory } from "../../../src/sim/apiserver/storage/watch_history.ts";

function ev(rv: number): ChangeEvent {
  const o = { metadata: { name: `o${rv}` } };
  return new ChangeEvent("ADDED", rv, "configmaps", o, JSON.stringify(o));
}

Deno.test("events after a resourceVersion, until eviction makes it too old", () => {
  const h = new WatchHistory(3, 0);
  for (const rv of [2, 4, 5]) h.push(ev(rv));
  assert.deepEqual(h.since(0)!.map((e) => e.rv), [2, 4, 5]);
  assert.deepEqual(h.since(3)!.map((e) => e.rv), [4, 5]);
  assert.deepEqual(h.since(5), []);
  h.push(ev(7)); // evicts rv 2
  assert.equal(h.since(1), undefined);
  assert.deepEqual(h.since(2)!.map((e) => e.rv), [4, 5, 7]);
  assert.equal(h.oldestResumable(), 2);
  for (const rv of [8, 9, 10, 11]) h.push(ev(rv));
  assert.deepEqual(h.since(8)!.map((e) => e.rv), [9, 10, 11]);
});

Deno.test("compaction forgets everything up to the given resourceVersion", () => {
  const h = new WatchHistory(10, 0);
  for (const rv of [1, 2, 3]) h.push(ev(rv));
  h.compact(3);
  assert.equal(h.since(2), undefined);
  assert.deepEqual(h.since(3), []);
  h.push(ev(4));
  assert.deepEqual(h.since(3)!.map((e) => e.rv), [4]);
});
