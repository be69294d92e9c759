/** Watch semantics of the fake API server: start points, replay, selectors, bookmarks, timeouts, 410, drops. */
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { configMap, type ReceivedEvent, withApi } from "./api_test_client.ts";

const CM = "/api/v1/namespaces/default/configmaps";

type Meta = { metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } };

function summary(events: ReceivedEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`);
}

Deno.test("watch without resourceVersion (and with 0) starts with the current state as ADDED, then changes", async () => {
  await withApi(async (api) => {
    await api.post(CM, configMap("a"));
    await api.post(CM, configMap("b"));
    for (const rv of ["", "&resourceVersion=0"]) {
      const w = await api.watch(`${CM}?x=1${rv}`);
      assert.deepEqual(summary(await w.take(2)), ["ADDED a", "ADDED b"]);
      await w.close();
    }
    const w = await api.watch(CM);
    await w.take(2);
    const a = (await api.get<Meta>(`${CM}/a`)).body;
    await api.put(`${CM}/a`, { ...a, data: { x: "1" } });
    await api.delete(`${CM}/b`);
    await api.post(CM, configMap("c"));
    const events = await w.take(3);
    assert.deepEqual(summary(events), ["MODIFIED a", "DELETED b", "ADDED c"]);
    // Each event carries the resourceVersion of its own change, in order.
    const rvs = events.map((e) => Number(e.object.metadata!.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
  });
});

Deno.test("watch from a resourceVersion replays exactly the changes after it, then continues live", async () => {
  await withApi(async (api) => {
    const a = (await api.post<Meta>(CM, configMap("a"))).body;
    await api.post(CM, configMap("b"));
    await api.delete(`${CM}/a`);
    // Another resource's change moves the global RV but is not part of this watch.
    await api.post("/api/v1/namespaces/default/secrets", { metadata: { name: "s" } });
    const w = await api.watch(`${CM}?resourceVersion=${a.metadata.resourceVersion}`);
    assert.deepEqual(summary(await w.take(2)), ["ADDED b", "DELETED a"]);
    await api.post(CM, configMap("c"));
    assert.deepEqual(summary(await w.take(1)), ["ADDED c"]);
  });
});

Deno.test("label and field selectors filter watches; leaving or entering the selection is DELETED/ADDED", async () => {
  await withApi(async (api) => {
    const w = await api.watch(`${CM}?labelSelector=${encodeURIComponent("tier in (web),!legacy")}`);
    const other = await api.watch(`${CM}?fieldSelector=metadata.name%3Dy`);
    const x = (await api.post<Meta>(CM, configMap("x", {}, { tier: "web" }))).body;
    await api.post(CM, configMap("y", {}, { tier: "db" }));
    const moved = (await api.put<Meta>(`${CM}/x`, { ...x, metadata: { ...x.metadata, labels: { tier: "db" } } })).body;
    await api.put(`${CM}/x`, { ...moved, metadata: { ...moved.metadata, labels: { tier: "web" } } });
    assert.deepEqual(summary(await w.take(3)), ["ADDED x", "DELETED x", "ADDED x"]);
    assert.deepEqual(summary(await other.take(1)), ["ADDED y"]);
  });
});

Deno.test("a single object can be watched with the legacy /watch/ path", async () => {
  await withApi(async (api) => {
    await api.post(CM, configMap("one"));
    await api.post(CM, configMap("two"));
    const w = await api.watch("/api/v1/watch/namespaces/default/configmaps/two");
    assert.deepEqual(summary(await w.take(1)), ["ADDED two"]);
    await api.delete(`${CM}/one`);
    await api.delete(`${CM}/two`);
    assert.deepEqual(summary(await w.take(1)), ["DELETED two"]);
  });
});

Deno.test("BOOKMARK events arrive on the bookmark interval when allowWatchBookmarks=true", async () => {
  const clock = new FakeClock();
  await withApi(async (api) => {
    const w = await api.watch(`${CM}?allowWatchBookmarks=true&resourceVersion=0`);
    await api.post(CM, configMap("a"));
    const [added] = await w.take(1);
    assert.equal(added.type, "ADDED");
    await clock.advance(1000);
    const [bookmark] = await w.take(1);
    assert.equal(bookmark.type, "BOOKMARK");
    assert.equal(bookmark.object.kind, "ConfigMap");
    assert.equal(bookmark.object.apiVersion, "v1");
    assert.equal(bookmark.object.metadata!.resourceVersion, added.object.metadata!.resourceVersion);
    // Without the flag there are none: the next event after a long pause is the next change.
    const plain = await api.watch(`${CM}?resourceVersion=${added.object.metadata!.resourceVersion}`);
    await clock.advance(5000);
    await api.post(CM, configMap("b"));
    assert.deepEqual(summary(await plain.take(1)), ["ADDED b"]);
  }, { clock, bookmarkIntervalMs: 1000 });
});

Deno.test("sendInitialEvents ends the initial ADDED events with an annotated BOOKMARK", async () => {
  await withApi(async (api) => {
    await api.post(CM, configMap("a"));
    const w = await api.watch(
      `${CM}?sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=`,
    );
    const [added, bookmark] = await w.take(2);
    assert.equal(added.type, "ADDED");
    assert.equal(bookmark.type, "BOOKMARK");
    assert.deepEqual(
      (bookmark.object.metadata as { annotations?: Record<string, string> }).annotations,
      { "k8s.io/initial-events-end": "true" },
    );
  });
});

Deno.test("timeoutSeconds ends the watch stream", async () => {
  const clock = new FakeClock();
  await withApi(async (api) => {
    const w = await api.watch(`${CM}?timeoutSeconds=30`);
    await clock.advance(29_000);
    await api.post(CM, configMap("a"));
    assert.deepEqual(summary(await w.take(1)), ["ADDED a"]);
    await clock.advance(1_000);
    assert.deepEqual(await w.rest(), []);
  }, { clock });
});

Deno.test("after compaction a watch from an older resourceVersion gets an ERROR event with 410 Expired", async () => {
  await withApi(async (api) => {
    const a = (await api.post<Meta>(CM, configMap("a"))).body;
    await api.post(CM, configMap("b"));
    api.server.faults.compact();
    const w = await api.watch(`${CM}?resourceVersion=${a.metadata.resourceVersion}`);
    const events = await w.rest();
    assert.equal(events.length, 1);
    assert.equal(events[0].type, "ERROR");
    const status = events[0].object as { kind: string; code: number; reason: string; message: string };
    assert.equal(status.kind, "Status");
    assert.equal(status.code, 410);
    assert.equal(status.reason, "Expired");
    assert.match(status.message, /^too old resource version: \d+ \(\d+\)$/);
    // Resuming from the current resourceVersion is fine.
    const list = (await api.get<{ metadata: { resourceVersion: string } }>(CM)).body;
    const ok = await api.watch(`${CM}?resourceVersion=${list.metadata.resourceVersion}`);
    await api.post(CM, configMap("c"));
    assert.deepEqual(summary(await ok.take(1)), ["ADDED c"]);
  });
});

Deno.test("a bounded history forgets old events: resuming from before it is 410", async () => {
  await withApi(async (api) => {
    const first = (await api.post<Meta>(CM, configMap("o0"))).body;
    for (let i = 1; i < 6; i++) await api.post(CM, configMap(`o${i}`));
    const gone = await api.watch(`${CM}?resourceVersion=${first.metadata.resourceVersion}`);
    const [err] = await gone.rest();
    assert.equal(err.type, "ERROR");
    assert.equal((err.object as { code: number }).code, 410);
    // The last three events are still there.
    const o2 = (await api.get<Meta>(`${CM}/o2`)).body;
    const ok = await api.watch(`${CM}?resourceVersion=${o2.metadata.resourceVersion}`);
    assert.deepEqual(summary(await ok.take(3)), ["ADDED o3", "ADDED o4", "ADDED o5"]);
  }, { watchHistory: 3 });
});

Deno.test("dropWatches closes every stream; resuming from the last seen resourceVersion loses nothing", async () => {
  await withApi(async (api) => {
    const w1 = await api.watch(CM);
    const w2 = await api.watch(CM);
    const a = (await api.post<Meta>(CM, configMap("a"))).body;
    await w1.take(1);
    await w2.take(1);
    api.server.faults.dropWatches();
    assert.deepEqual(await w1.rest(), []);
    assert.deepEqual(await w2.rest(), []);
    await api.post(CM, configMap("b"));
    const resumed = await api.watch(`${CM}?resourceVersion=${a.metadata.resourceVersion}`);
    assert.deepEqual(summary(await resumed.take(1)), ["ADDED b"]);
  });
});

Deno.test("watch parameter errors are 400 before any stream starts", async () => {
  await withApi(async (api) => {
    const badSelector = await api.get<{ reason: string; message: string }>(`${CM}?watch=true&labelSelector=a%20in%20(`);
    assert.equal(badSelector.status, 400);
    const badField = await api.get<{ message: string }>(`${CM}?watch=true&fieldSelector=spec.nodeName%3Dx`);
    assert.equal(badField.status, 400);
    assert.equal(badField.body.message, "field label not supported: spec.nodeName");
    const badRv = await api.get(`${CM}?watch=true&resourceVersion=abc`);
    assert.equal(badRv.status, 400);
  });
});
