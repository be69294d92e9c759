/**
 * Acceptance tests of the controller runtime against the project's fake API server (src/sim/apiserver):
 * an informer under watch drops, compaction (410) and concurrent writes; and a 50-worker controller that must never
 * run one key twice at a time and must bring every object to its final state.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { Controller } from "../../src/k8s/controller/controller.ts";
import { isConflict, isNotFound } from "../../src/k8s/api/errors.ts";
import { Informer } from "../../src/k8s/cache/informer.ts";
import { type KubeObject, objectKey, resourceVersionNumber } from "../../src/k8s/api/objects.ts";
import { CoreV1 } from "../../src/k8s/api/resources.ts";
import { captureLogs } from "../../src/observability/log.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { eventually } from "../support/eventually.ts";

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const FAST = { initialMs: 5, maxMs: 50, factor: 2, jitter: 0.2 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("acceptance: an informer survives watch drops and 410s under concurrent writes without losing or reordering state", async () => {
  const api = await startApiServer({ bookmarkIntervalMs: 25, seed: 7 });
  const client = new KubeClient(api.connection());
  const writer = new KubeClient(api.connection());
  const stop = new AbortController();
  const logs = captureLogs(); // the informer logs every 410 at info level
  try {
    const informer = new Informer<ConfigMap>(client, CoreV1.configMaps, { namespace: "default", backoff: FAST });
    const delivered = new Map<string, number>();
    const violations: string[] = [];
    const seen = (o: KubeObject) => {
      const key = objectKey(o);
      const rv = resourceVersionNumber(o);
      const last = delivered.get(key) ?? 0;
      if (rv <= last) violations.push(`${key}: rv ${rv} delivered after ${last}`);
      delivered.set(key, rv);
    };
    informer.addEventHandler({ onAdd: seen, onUpdate: (_o, n) => seen(n), onDelete: seen });
    informer.start(stop.signal);
    await informer.waitForSync();

    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        const name = `cm-${(w * 13 + i * 7) % 40}`;
        try {
          if (i % 9 === 8) {
            await writer.delete(CoreV1.configMaps, name, { namespace: "default" });
          } else {
            const current = await writer.get<ConfigMap>(CoreV1.configMaps, name, { namespace: "default" })
              .catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
            if (current) {
              await writer.update(CoreV1.configMaps, { ...current, data: { writer: String(w), i: String(i) } });
            } else {
              await writer.create(CoreV1.configMaps, { metadata: { name, namespace: "default" }, data: { i: "0" } });
            }
          }
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e) && !(e as Error).name?.includes("AlreadyExists")) throw e;
        }
      }
    });
    // Each round waits until the informer has a watch open again, lets writes flow into it, then drops it; every
    // third round also compacts the history so that resuming gets 410 Gone and the informer must re-list.
    const watchCount = () => api.counters.snapshot().byVerb.watch ?? 0;
    const ROUNDS = 12;
    let atDrop = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await eventually(() => watchCount() > atDrop, { description: `a new watch after drop ${round}` });
      await sleep(15);
      if (round % 3 === 2) api.faults.compact();
      atDrop = watchCount();
      api.faults.dropWatches();
    }
    writing = false;
    await Promise.all(writers);

    const fresh = await writer.listAll<ConfigMap>(CoreV1.configMaps, { namespace: "default" });
    const expected = new Map(fresh.items.map((o) => [objectKey(o), o.metadata.resourceVersion]));
    const differences = () => {
      const cached = new Map(informer.list().map((o) => [objectKey(o), o.metadata.resourceVersion]));
      const diffs: string[] = [];
      for (const [k, rv] of expected) {
        if (cached.get(k) !== rv) diffs.push(`${k}: server ${rv}, cache ${cached.get(k)}`);
      }
      for (const [k, rv] of cached) if (!expected.has(k)) diffs.push(`${k}: only cached (${rv})`);
      return diffs;
    };
    await eventually(() => differences().length === 0, { timeoutMs: 10_000 }).catch(() => {
      throw new Error(
        `informer cache differs from a fresh list (list rv ${fresh.metadata.resourceVersion}, informer rv ` +
          `${informer.resourceVersion()}, requests ${JSON.stringify(api.counters.snapshot().byVerb)}): ` +
          differences().slice(0, 10).join("; ") + `\ninformer log:\n${logs.lines.slice(-20).join("\n")}`,
      );
    });
    assert.deepEqual(violations, [], "no stale object after a newer one");
    const counts = api.counters.snapshot().byVerb;
    assert.ok((counts.watch ?? 0) >= ROUNDS, `a watch was open for every drop (${JSON.stringify(counts)})`);
    assert.ok((counts.list ?? 0) >= 2, `re-listed after 410s (${JSON.stringify(counts)})`);
    assert.ok(expected.size > 0);
  } finally {
    stop.abort();
    logs.restore();
    client.close();
    writer.close();
    await api.stop();
  }
});

Deno.test("acceptance: 50 workers never reconcile one key concurrently and every key reaches its final state", async () => {
  const api = await startApiServer({ bookmarkIntervalMs: 1000 });
  const client = new KubeClient(api.connection());
  const stop = new AbortController();
  try {
    const KEYS = 60;
    for (let i = 0; i < KEYS; i++) {
      await client.create(CoreV1.configMaps, {
        metadata: { name: `obj-${i}`, namespace: "default" },
        data: { want: "0" },
      });
    }
    const informer = new Informer<ConfigMap>(client, CoreV1.configMaps, { namespace: "default" });
    const running = new Set<string>();
    const overlaps: string[] = [];
    let reconciles = 0;
    let maxParallel = 0;
    const controller = new Controller({
      name: "acceptance-50",
      concurrency: 50,
      reconciler: {
        async reconcile(req) {
          const key = `${req.namespace}/${req.name}`;
          if (running.has(key)) overlaps.push(key);
          running.add(key);
          maxParallel = Math.max(maxParallel, running.size);
          reconciles++;
          try {
            await sleep(Math.random() * 4); // hold the key long enough for new events to arrive meanwhile
            const cm = informer.get(key);
            if (!cm) return;
            const want = cm.data?.want;
            if (cm.data?.done === want) return;
            // Optimistic concurrency: a stale cache gives a 409, which is retried with backoff.
            await client.update(CoreV1.configMaps, { ...structuredClone(cm), data: { ...cm.data, done: want! } });
          } finally {
            running.delete(key);
          }
        },
      },
      rateLimiter: { baseDelayMs: 5, maxDelayMs: 200, qps: 1000, burst: 1000 },
    }).watch(informer);
    informer.start(stop.signal);
    const done = controller.start(stop.signal);

    // Change the desired state of every key several times while the controller works.
    for (let round = 1; round <= 5; round++) {
      await Promise.all(Array.from({ length: KEYS }, async (_, i) => {
        for (;;) {
          const cm = await client.get<ConfigMap>(CoreV1.configMaps, `obj-${i}`, { namespace: "default" });
          try {
            await client.update(CoreV1.configMaps, { ...cm, data: { ...cm.data, want: String(round) } });
            return;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
      }));
      await sleep(10);
    }
    await eventually(async () => {
      const list = await client.listAll<ConfigMap>(CoreV1.configMaps, { namespace: "default" });
      return list.items.every((o) => o.data?.want === "5" && o.data?.done === "5") && controller.queueLength() === 0;
    }, { description: "every object reconciled to want=5", timeoutMs: 20_000 });
    assert.deepEqual(overlaps, [], "a key was reconciled by two workers at once");
    assert.ok(maxParallel > 1, `different keys ran in parallel (max ${maxParallel})`);
    assert.ok(reconciles >= KEYS);
    stop.abort();
    await done;
  } finally {
    stop.abort();
    client.close();
    await api.stop();
  }
});
