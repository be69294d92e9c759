import assert from "node:assert/strict";
import { FreshView } from "../../../src/k8s/cache/fresh_view.ts";
import type { EventHandler, Informer } from "../../../src/k8s/cache/informer.ts";
import { type KubeObject, objectKey } from "../../../src/k8s/api/objects.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";

/** A deliberately tiny informer double: a map of cached objects and the handlers the view registers. */
class TinyInformer {
  readonly cache = new Map<string, KubeObject>();
  private readonly handlers: EventHandler<KubeObject>[] = [];

  addEventHandler(h: EventHandler<KubeObject>): () => void {
    this.handlers.push(h);
    return () => this.handlers.splice(this.handlers.indexOf(h), 1);
  }
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }
  /** The informer sees an add or update. */
  deliver(o: KubeObject): void {
    const old = this.cache.get(objectKey(o));
    this.cache.set(objectKey(o), o);
    for (const h of this.handlers) old ? h.onUpdate?.(old, o) : h.onAdd?.(o, false);
  }
  /** The informer sees a deletion (carrying the object as it last knew it). */
  drop(o: KubeObject): void {
    this.cache.delete(objectKey(o));
    for (const h of this.handlers) h.onDelete?.(o);
  }
}

function obj(name: string, rv: number, extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return { metadata: { name, namespace: "ns", resourceVersion: String(rv), uid: `uid-${name}`, ...extra } };
}

function setup(ttlMs?: number) {
  const clock = new FakeClock();
  const informer = new TinyInformer();
  const view = new FreshView(informer as unknown as Informer<KubeObject>, clock, ttlMs);
  return { clock, informer, view };
}

const rvOf = (o: KubeObject | undefined) => o?.metadata.resourceVersion;

Deno.test("fresh view: our write wins over an older cached version until the informer delivers it", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1));
  view.wrote(obj("a", 2));
  assert.equal(rvOf(view.get("ns/a")), "2");
  assert.equal(rvOf(view.latest(informer.cache.get("ns/a")!)), "2");
  informer.deliver(obj("a", 2));
  assert.equal(view.pending(), 0);
  informer.deliver(obj("a", 3));
  assert.equal(rvOf(view.get("ns/a")), "3");
});

Deno.test("fresh view: a write older than the cache is ignored; an older write never replaces a newer one", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 5));
  view.wrote(obj("a", 4));
  assert.equal(view.pending(), 0);
  view.wrote(obj("a", 7));
  view.wrote(obj("a", 6));
  assert.equal(rvOf(view.get("ns/a")), "7");
});

Deno.test("fresh view: a deletion hides the cached object until the informer drops it; a re-creation shows", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1));
  view.deleted(obj("a", 1));
  assert.equal(view.get("ns/a"), undefined);
  assert.equal(view.latest(informer.cache.get("ns/a")!), undefined);
  informer.drop(obj("a", 1));
  assert.equal(view.pending(), 0);
  informer.deliver(obj("a", 9, { uid: "uid-a2" }));
  assert.equal(rvOf(view.get("ns/a")), "9");
});

Deno.test("fresh view: removing the last finalizer of a deleting object counts as its deletion", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1, { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: ["f"] }));
  view.wrote(obj("a", 2, { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: [] }));
  assert.equal(view.get("ns/a"), undefined);
  // With a finalizer left, the object still exists.
  view.wrote(obj("b", 2, { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: ["other"] }));
  assert.equal(rvOf(view.get("ns/b")), "2");
});

Deno.test("fresh view: the informer's deletion of the object we wrote wins, whatever version it last knew", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1));
  view.wrote(obj("a", 2));
  // A relist found the object gone: the deletion carries the last version the cache had.
  informer.drop(obj("a", 1));
  assert.equal(view.pending(), 0);
  assert.equal(view.get("ns/a"), undefined);
});

Deno.test("fresh view: the deletion of an earlier object of the same name does not hide our re-creation", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1, { uid: "old" }));
  view.wrote(obj("a", 3, { uid: "new" }));
  informer.drop(obj("a", 1, { uid: "old" }));
  assert.equal(view.get("ns/a")?.metadata.uid, "new");
});

Deno.test("fresh view: an unobserved write is preferred for ttlMs at most", async () => {
  const { clock, informer, view } = setup(1_000);
  informer.deliver(obj("a", 1));
  view.wrote(obj("a", 2));
  await clock.advance(999);
  assert.equal(rvOf(view.get("ns/a")), "2");
  await clock.advance(1);
  assert.equal(rvOf(view.get("ns/a")), "1");
  assert.equal(view.pending(), 0);
});

Deno.test("fresh view: merge adds our created objects the index lacks, filtered by belongs", () => {
  const { informer, view } = setup();
  informer.deliver(obj("a", 1, { labels: { set: "x" } }));
  view.wrote(obj("b", 2, { labels: { set: "x" } }));
  view.wrote(obj("c", 3, { labels: { set: "y" } }));
  const merged = view.merge([informer.cache.get("ns/a")!], (o) => o.metadata.labels?.set === "x");
  assert.deepEqual(merged.map((o) => o.metadata.name).sort(), ["a", "b"]);
});

Deno.test("fresh view: close stops following the informer", () => {
  const { informer, view } = setup();
  view.close();
  view.wrote(obj("a", 2));
  informer.deliver(obj("a", 2));
  assert.equal(view.pending(), 1);
});
