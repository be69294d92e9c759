import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import {
  indexByLabel,
  indexByOwnerUid,
  Informer,
  InformerFactory,
  NAMESPACE_INDEX,
} from "../../../src/k8s/cache/informer.ts";
import { type KubeObject, objectKey, resourceVersionNumber } from "../../../src/k8s/api/objects.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { eventually } from "../../support/eventually.ts";
import {
  type RecordedApiServer,
  type RecordedApiServerOptions,
  startRecordedApiServer,
} from "../support/recorded_apiserver.ts";

const CM = CoreV1.configMaps;
const FAST = { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 };

function cm(
  name: string,
  namespace: string,
  extra: Partial<KubeObject["metadata"]> = {},
  data: Record<string, string> = {},
) {
  return { metadata: { name, namespace, ...extra }, data } as KubeObject;
}

/** Records every handler call as `type key rv`. */
function recorder() {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (o: KubeObject, initial: boolean) =>
        log.push(`add${initial ? "(initial)" : ""} ${objectKey(o)} ${o.metadata.resourceVersion}`),
      onUpdate: (old: KubeObject, o: KubeObject) =>
        log.push(`update ${objectKey(o)} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o: KubeObject) => log.push(`delete ${objectKey(o)} ${o.metadata.resourceVersion}`),
    },
  };
}

async function withServer(
  fn: (api: RecordedApiServer, client: KubeClient, stop: AbortController) => Promise<void>,
  opts: RecordedApiServerOptions = {},
) {
  const api = await startRecordedApiServer({ bookmarkIntervalMs: 30, ...opts });
  const client = new KubeClient(api.connection());
  const stop = new AbortController();
  try {
    await fn(api, client, stop);
  } finally {
    stop.abort();
    client.close();
    await api.stop();
  }
}

const lists = (api: RecordedApiServer) =>
  api.requests.filter((r) => r.method === "GET" && !r.query.get("watch")).length;
const watches = (api: RecordedApiServer) => api.requests.filter((r) => r.query.get("watch") === "true");

Deno.test("informer: initial list, then watch events in order; indexes; late handlers get the cache as adds", async () => {
  await withServer(async (api, client, stop) => {
    const owner = await api.admin.put(CoreV1.secrets, { metadata: { name: "o", namespace: "ns2" } });
    const a = await api.admin.put(CM, cm("a", "ns1", { labels: { app: "x" } }));
    await api.admin.put(
      CM,
      cm("b", "ns2", { ownerReferences: [{ apiVersion: "v1", kind: "Secret", name: "o", uid: owner.metadata.uid! }] }),
    );
    const informer = new Informer(client, CoreV1.configMaps, {
      indexers: { app: indexByLabel("app"), owner: indexByOwnerUid },
      backoff: FAST,
    });
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await informer.waitForSync();
    assert.ok(informer.hasSynced());
    assert.deepEqual(r.log.sort(), [
      `add(initial) ns1/a ${a.metadata.resourceVersion}`,
      `add(initial) ns2/b ${Number(a.metadata.resourceVersion) + 1}`,
    ]);

    r.log.length = 0;
    const a2 = await api.admin.put(CM, cm("a", "ns1", { labels: { app: "y" } }));
    const c = await api.admin.put(CM, cm("c", "ns1"));
    const gone = (await api.admin.remove(CM, "ns2", "b"))!;
    await eventually(() => r.log.length === 3, { description: "three watch events" });
    assert.deepEqual(r.log, [
      `update ns1/a ${a.metadata.resourceVersion}->${a2.metadata.resourceVersion}`,
      `add ns1/c ${c.metadata.resourceVersion}`,
      `delete ns2/b ${gone.metadata.resourceVersion}`,
    ]);
    assert.equal(informer.get("ns1/a")?.metadata.labels?.app, "y");
    assert.equal(informer.get({ namespace: "ns1", name: "c" })?.metadata.name, "c");
    assert.deepEqual(informer.list("ns1").map((o) => o.metadata.name).sort(), ["a", "c"]);
    assert.deepEqual(informer.list("ns2"), []);
    assert.deepEqual(informer.byIndex("app", "y").map(objectKey), ["ns1/a"]);
    assert.deepEqual(informer.byIndex("app", "x"), [], "re-indexed on update");
    assert.deepEqual(informer.byIndex("owner", owner.metadata.uid!), [], "unindexed on delete");
    assert.deepEqual(informer.byIndex(NAMESPACE_INDEX, "ns1").length, 2);
    assert.throws(() => informer.byIndex("nope", "x"), /no index named "nope"/);
    assert.equal(informer.resourceVersion(), gone.metadata.resourceVersion);

    const late = recorder();
    const unregister = informer.addEventHandler(late.handler);
    assert.deepEqual(late.log.sort(), [
      `add(initial) ns1/a ${a2.metadata.resourceVersion}`,
      `add(initial) ns1/c ${c.metadata.resourceVersion}`,
    ]);
    unregister();
    await api.admin.put(CM, cm("d", "ns1"));
    await eventually(() => informer.get("ns1/d"));
    assert.equal(late.log.length, 2, "unregistered handlers get nothing");
    assert.equal(lists(api), 1);
    const watch = watches(api)[0];
    assert.equal(watch.query.get("allowWatchBookmarks"), "true");
    assert.equal(watch.query.get("resourceVersion"), String(Number(a.metadata.resourceVersion) + 1));
  });
});

Deno.test("informer: a watch that ends normally resumes from the last resourceVersion without a re-list", async () => {
  await withServer(async (api, client, stop) => {
    await api.admin.put(CM, cm("a", "ns"));
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await informer.waitForSync();
    const b = await api.admin.put(CM, cm("b", "ns"));
    await eventually(() => informer.get("ns/b"));
    api.faults.dropWatches();
    await eventually(() => watches(api).length === 2 && api.openWatches() === 1, { description: "resumed watch" });
    assert.equal(watches(api)[1].query.get("resourceVersion"), b.metadata.resourceVersion);
    const c = await api.admin.put(CM, cm("c", "ns"));
    await eventually(() => informer.get("ns/c"));
    assert.equal(lists(api), 1, "no re-list");
    assert.equal(r.log.filter((l) => l.startsWith("add ns/c")).length, 1);
    assert.equal(informer.get("ns/c")!.metadata.resourceVersion, c.metadata.resourceVersion);
  });
});

Deno.test("informer: bookmarks advance the resume point", async () => {
  await withServer(async (api, client, stop) => {
    const informer = new Informer(client, CoreV1.configMaps, { namespace: "ns", backoff: FAST });
    informer.start(stop.signal);
    await informer.waitForSync();
    await api.admin.put(CM, cm("elsewhere", "other-ns")); // raises the global resourceVersion, invisible to this watch
    const rv = String(await api.admin.currentResourceVersion());
    await eventually(() => informer.resourceVersion() === rv, { description: "bookmark with the current rv" });
    api.faults.dropWatches();
    await eventually(() => watches(api).length === 2);
    assert.equal(watches(api)[1].query.get("resourceVersion"), rv);
    assert.equal(watches(api)[1].path, "/api/v1/namespaces/ns/configmaps", "namespace scoping");
  });
});

Deno.test("informer: 410 Gone re-lists and diffs: updates only for changed objects, deletes for vanished ones", async () => {
  await withServer(async (api, client, stop) => {
    const keep = await api.admin.put(CM, cm("keep", "ns"));
    await api.admin.put(CM, cm("change", "ns"));
    await api.admin.put(CM, cm("vanish", "ns"));
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await informer.waitForSync();
    r.log.length = 0;

    // Changes happen while no watch is open, then the history is compacted: resuming gets 410. Lists fail too
    // meanwhile, so that no re-list sees only part of the changes.
    api.faults.add({ verb: "watch", status: 503, times: 1_000 });
    api.faults.dropWatches();
    await eventually(() => watches(api).length >= 2);
    api.faults.add({ verb: "list", resource: "configmaps", status: 503, times: 1_000 });
    const changed = await api.admin.put(CM, cm("change", "ns", {}, { v: "2" }));
    const vanished = informer.get("ns/vanish")!;
    const vanishedRv = vanished.metadata.resourceVersion;
    await api.admin.remove(CM, "ns", "vanish");
    const added = await api.admin.put(CM, cm("new", "ns"));
    api.faults.compact();
    api.faults.clear();
    await eventually(() => informer.get("ns/new") && !informer.get("ns/vanish"), { description: "re-listed" });
    assert.deepEqual(
      r.log.sort(),
      [
        `add ns/new ${added.metadata.resourceVersion}`,
        `delete ns/vanish ${await api.admin.currentResourceVersion()}`, // last known state, stamped with the re-list's rv
        `update ns/change ${Number(keep.metadata.resourceVersion) + 1}->${changed.metadata.resourceVersion}`,
      ].sort(),
    );
    assert.ok(lists(api) >= 2, "re-listed after the failures");
    assert.equal(vanished.metadata.resourceVersion, vanishedRv, "the cached object itself was not changed");
  });
});

Deno.test("informer: 410 on resume triggers a re-list (GoneError path)", async () => {
  // The informer's first watch is held up on its way (a latency fault on the server's clock) while history moves on.
  const serverClock = new FakeClock();
  await withServer(async (api, client, stop) => {
    await api.admin.put(CM, cm("a", "ns"));
    api.faults.add({ verb: "watch", latencyMs: 1, times: 1 });
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    informer.start(stop.signal);
    await informer.waitForSync();
    await eventually(() => serverClock.pending() === 1, { description: "the watch waits on the server's clock" });
    await api.admin.put(CM, cm("other", "other"));
    api.faults.compact(); // the informer's rv is now older than the oldest retained change
    await api.admin.put(CM, cm("b", "ns"));
    api.faults.dropWatches();
    await serverClock.advance(1);
    await eventually(() => informer.get("ns/b"), { description: "b arrives through the re-list" });
    assert.equal(lists(api), 2);
  }, { clock: serverClock });
});

Deno.test("informer: handlers see strictly increasing resourceVersions per object under drops, 410s and churn", async () => {
  await withServer(async (api, client, stop) => {
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    const lastRv = new Map<string, number>();
    const violations: string[] = [];
    const check = (o: KubeObject) => {
      const key = objectKey(o);
      const rv = resourceVersionNumber(o);
      if (rv <= (lastRv.get(key) ?? 0)) violations.push(`${key}: ${rv} after ${lastRv.get(key)}`);
      lastRv.set(key, rv);
    };
    informer.addEventHandler({ onAdd: check, onUpdate: (_o, n) => check(n), onDelete: check });
    informer.start(stop.signal);
    await informer.waitForSync();
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 5; i++) {
        const name = `cm-${(round * 7 + i) % 12}`;
        if (round % 4 === 3 && i === 0) await api.admin.remove(CM, "ns", name);
        else await api.admin.put(CM, cm(name, "ns", {}, { round: String(round) }));
      }
      if (round % 5 === 0) api.faults.dropWatches();
      if (round % 7 === 0) {
        api.faults.compact();
        api.faults.dropWatches();
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const final = new Map((await api.admin.list(CM)).map((o) => [objectKey(o), o.metadata.resourceVersion]));
    await eventually(() => {
      const cached = new Map(informer.list().map((o) => [objectKey(o), o.metadata.resourceVersion]));
      return cached.size === final.size && [...final].every(([k, rv]) => cached.get(k) === rv);
    }, { description: "cache equals the server's final state" });
    assert.deepEqual(violations, []);
  });
});

Deno.test("informer: a throwing handler does not stop delivery; cached objects are frozen without managedFields", async () => {
  await withServer(async (api, client, stop) => {
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    const r = recorder();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error("handler bug");
      },
    });
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await informer.waitForSync();
    await api.admin.put(CM, cm("a", "ns", { managedFields: [{ manager: "kubectl", operation: "Apply" }] }), {
      fieldManager: "kubectl",
    });
    assert.ok((await api.admin.get(CM, "ns", "a"))?.metadata.managedFields?.length, "the server sends managedFields");
    await api.admin.put(CM, cm("b", "ns"));
    await eventually(() => r.log.length === 2);
    const a = informer.get("ns/a")!;
    assert.equal(a.metadata.managedFields, undefined);
    assert.throws(() => {
      (a.metadata as Record<string, unknown>).name = "changed";
    }, TypeError);
    const copy = structuredClone(a);
    (copy.metadata as Record<string, unknown>).name = "changed";
    assert.equal(informer.get("ns/a")!.metadata.name, "a");
  });
});

Deno.test("informer: watch failures back off and re-list; label selectors are sent", async () => {
  await withServer(async (api, client, stop) => {
    await api.admin.put(CM, cm("a", "ns", { labels: { role: "worker" } }));
    await api.admin.put(CM, cm("b", "ns", { labels: { role: "other" } }));
    api.faults.add({ verb: "watch", status: 500, times: 3 });
    const informer = new Informer(client, CoreV1.configMaps, { labelSelector: "role=worker", backoff: FAST });
    informer.start(stop.signal);
    await informer.waitForSync();
    assert.deepEqual(informer.list().map((o) => o.metadata.name), ["a"]);
    await eventually(() => api.openWatches() === 1, { description: "watch established after 3 failures" });
    assert.equal(lists(api), 4, "one list per failed attempt plus the first");
    assert.ok(api.requests.every((r) => r.query.get("labelSelector") === "role=worker"));
  });
});

Deno.test("informer: resync re-delivers every object on the clock", async () => {
  await withServer(async (api, client, stop) => {
    const clock = new FakeClock();
    await api.admin.put(CM, cm("a", "ns"));
    const informer = new Informer(client, CoreV1.configMaps, { resyncMs: 60_000, clock, backoff: FAST });
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await informer.waitForSync();
    await clock.advance(59_999);
    assert.equal(r.log.filter((l) => l.startsWith("update")).length, 0);
    await clock.advance(1);
    assert.equal(r.log.filter((l) => l.startsWith("update")).length, 1);
    await clock.advance(60_000);
    assert.equal(r.log.filter((l) => l.startsWith("update")).length, 2);
    stop.abort();
    await informer.stopped();
    assert.equal(clock.pending(), 0, "resync timer cleared on stop");
  });
});

Deno.test("informer factory shares informers per type/namespace/selector and starts late ones", async () => {
  await withServer(async (api, client, stop) => {
    await api.admin.put(CM, cm("a", "ns"));
    const factory = new InformerFactory(client);
    const one = factory.informer(CoreV1.configMaps);
    assert.equal(factory.informer(CoreV1.configMaps, { indexers: { app: indexByLabel("app") } }), one);
    assert.ok(one.hasIndex("app"), "indexers of later callers are added to the shared informer");
    assert.notEqual(factory.informer(CoreV1.configMaps, { namespace: "ns" }), one);
    assert.equal(factory.hasSynced(), false);
    factory.start(stop.signal);
    const late = factory.informer(CoreV1.secrets);
    await factory.waitForSync();
    assert.ok(factory.hasSynced());
    assert.ok(late.hasSynced(), "created after start, started by the factory");
    assert.equal(factory.all().length, 3);
    stop.abort();
    await factory.stopped();
    await assert.rejects(
      new Informer(client, CoreV1.pods).waitForSync(AbortSignal.abort(new Error("gave up"))),
      /gave up/,
    );
  });
});

Deno.test("informer: a lagging re-list never replaces a newer cached object or deletes one created after it", async () => {
  // A scripted server whose re-list is older than what the watch already delivered (a lagging cache/replica).
  const obj = (name: string, rv: number) => ({ metadata: { name, namespace: "ns", resourceVersion: String(rv) } });
  const line = (type: string, o: unknown) => JSON.stringify({ type, object: o }) + "\n";
  const lists = [
    { rv: 5, items: [obj("a", 5)] },
    { rv: 6, items: [obj("a", 6)] }, // stale: the watch already showed a@7 and created b@8
  ];
  const watchesBodies = [
    line("MODIFIED", obj("a", 7)) + line("ADDED", obj("b", 8)), // then the stream ends
    line("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Expired", code: 410 }),
    line("MODIFIED", obj("a", 7)) + line("ADDED", obj("b", 8)) + line("MODIFIED", obj("a", 9)),
  ];
  let hold: (() => void) | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    if (url.searchParams.get("watch") !== "true") {
      const l = lists.shift() ?? { rv: 9, items: [obj("a", 9), obj("b", 8)] };
      return Response.json({ metadata: { resourceVersion: String(l.rv) }, items: l.items });
    }
    const body = watchesBodies.shift();
    if (body !== undefined) return new Response(body);
    return new Response(new ReadableStream({ start: (c) => (hold = () => c.close()) }));
  });
  const client = new KubeClient({ server: `http://127.0.0.1:${server.addr.port}` });
  const stop = new AbortController();
  try {
    const informer = new Informer(client, CoreV1.configMaps, { backoff: FAST });
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start(stop.signal);
    await eventually(() => informer.get("ns/a")?.metadata.resourceVersion === "9", { description: "a@9" });
    assert.deepEqual(r.log, [
      "add(initial) ns/a 5",
      "update ns/a 5->7",
      "add ns/b 8",
      "update ns/a 7->9",
    ]);
    assert.ok(informer.get("ns/b"), "b (newer than the lagging list) was not deleted");
  } finally {
    stop.abort();
    hold?.();
    client.close();
    await server.shutdown();
  }
});

Deno.test("informer: watches that keep ending empty are retried at once up to three times, then with backoff", async () => {
  let watchRequests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).searchParams.get("watch") === "true") {
      watchRequests++;
      return new Response(""); // ends at once, no events, no bookmark
    }
    return Response.json({ metadata: { resourceVersion: "10" }, items: [] });
  });
  const client = new KubeClient({ server: `http://127.0.0.1:${server.addr.port}` });
  const clock = new FakeClock();
  const stop = new AbortController();
  try {
    const informer = new Informer(client, CoreV1.configMaps, {
      clock,
      backoff: { initialMs: 1000, maxMs: 1000, factor: 1, jitter: 0 },
    });
    informer.start(stop.signal);
    await eventually(() => watchRequests === 3, { description: "three immediate re-watches" });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(watchRequests, 3, "then it waits on the clock");
    await clock.advance(999);
    assert.equal(watchRequests, 3);
    await clock.advance(1);
    await eventually(() => watchRequests === 4);
  } finally {
    stop.abort();
    client.close();
    await server.shutdown();
  }
});
