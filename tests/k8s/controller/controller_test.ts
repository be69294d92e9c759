import assert from "node:assert/strict";
import {
  Controller,
  type ReconcileContext,
  type Request,
  type Result,
} from "../../../src/k8s/controller/controller.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Informer } from "../../../src/k8s/cache/informer.ts";
import { apiErrorFrom, statusBody } from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoreV1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import {
  and,
  annotationChanged,
  generationChanged,
  hasClass,
  hasType,
  labelsChanged,
  objectFilter,
  or,
  passes,
  resourceVersionChanged,
} from "../../../src/k8s/controller/predicates.ts";
import { FakeClock, yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { registry } from "../../../src/observability/metrics.ts";
import { eventually } from "../../support/eventually.ts";
import { startRecordedApiServer } from "../support/recorded_apiserver.ts";
import { crdFor } from "../support/test_crds.ts";

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  return data.values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((s, v) => s + v.value, 0);
}

/** A reconciler driven by a function, recording every call. */
function reconciler(fn: (req: Request, ctx: ReconcileContext, n: number) => Promise<Result | void> | Result | void) {
  const calls: string[] = [];
  return {
    calls,
    reconcile: (req: Request, ctx: ReconcileContext) => {
      calls.push(`${req.namespace ?? ""}/${req.name}`);
      return fn(req, ctx, calls.length) as Promise<Result | void>;
    },
  };
}

async function settle(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await yieldToEventLoop();
}

Deno.test("controller: one reconcile per key at a time; a key added during its run is processed once more after it", async () => {
  const gates = new Map<number, PromiseWithResolvers<void>>();
  let running = 0;
  let maxRunning = 0;
  const r = reconciler(async (_req, _ctx, n) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const gate = Promise.withResolvers<void>();
    gates.set(n, gate);
    await gate.promise;
    running--;
  });
  const c = new Controller({ name: "ctl-serial", reconciler: r, concurrency: 4, clock: new FakeClock() });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  c.enqueue({ namespace: "ns", name: "a" });
  await settle();
  c.enqueue({ namespace: "ns", name: "a" });
  c.enqueue({ namespace: "ns", name: "a" });
  await settle();
  assert.deepEqual(r.calls, ["ns/a"], "not started again while in flight, although 3 workers are idle");
  assert.equal(c.queueLength(), 1);
  gates.get(1)!.resolve();
  await eventually(() => r.calls.length === 2);
  gates.get(2)!.resolve();
  await settle();
  assert.equal(r.calls.length, 2, "the two re-adds during the run were collapsed into one");
  assert.equal(maxRunning, 1);
  stop.abort();
  await done;
});

Deno.test("controller: different keys run in parallel up to the concurrency", async () => {
  const release = Promise.withResolvers<void>();
  let running = 0;
  let maxRunning = 0;
  const r = reconciler(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await release.promise;
    running--;
  });
  const c = new Controller({ name: "ctl-parallel", reconciler: r, concurrency: 3, clock: new FakeClock() });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  for (const n of ["a", "b", "c", "d", "e"]) c.enqueue({ name: n });
  await settle();
  assert.equal(running, 3);
  release.resolve();
  await eventually(() => r.calls.length === 5);
  assert.equal(maxRunning, 3);
  stop.abort();
  await done;
});

Deno.test("controller: errors (thrown or rejected) are retried with exponential backoff; success forgets", async () => {
  const clock = new FakeClock();
  const r = reconciler((_req, _ctx, n) => {
    if (n === 1) throw new Error("sync throw");
    if (n <= 4) return Promise.reject(new Error(`async failure ${n}`));
    return {};
  });
  const c = new Controller({ name: "ctl-backoff", reconciler: r, clock, rateLimiter: { baseDelayMs: 100 } });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  const errorsBefore = await metric("controller_runtime_reconcile_errors_total", { controller: "ctl-backoff" });
  c.enqueue({ name: "k" });
  await settle();
  assert.equal(r.calls.length, 1);
  for (const [delay, expectedCalls] of [[100, 2], [200, 3], [400, 4], [800, 5]] as const) {
    await clock.advance(delay - 1);
    assert.equal(r.calls.length, expectedCalls - 1, `not before ${delay} ms`);
    await clock.advance(1);
    await eventually(() => r.calls.length === expectedCalls);
  }
  assert.equal(
    await metric("controller_runtime_reconcile_errors_total", { controller: "ctl-backoff" }) - errorsBefore,
    4,
  );
  assert.equal(await metric("controller_runtime_reconcile_total", { controller: "ctl-backoff", result: "success" }), 1);
  assert.equal(c.delayedLength(), 0);
  // After the success the backoff starts from the base again.
  c.enqueue({ name: "k" });
  await eventually(() => r.calls.length === 6);
  stop.abort();
  await done;
  assert.equal(clock.pending(), 0);
});

Deno.test("controller: maxRetries drops a key after that many consecutive failures", async () => {
  const clock = new FakeClock();
  const r = reconciler(() => Promise.reject(new Error("always")));
  const c = new Controller({
    name: "ctl-maxretries",
    reconciler: r,
    clock,
    maxRetries: 3,
    rateLimiter: { baseDelayMs: 10 },
  });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  c.enqueue({ name: "k" });
  for (let i = 0; i < 10; i++) {
    await settle();
    await clock.advance(1000);
  }
  assert.equal(r.calls.length, 4, "the first run plus 3 retries");
  assert.equal(c.delayedLength(), 0);
  c.enqueue({ name: "k" });
  await eventually(() => r.calls.length === 5, { description: "a new event reconciles the key again" });
  stop.abort();
  await done;
});

Deno.test("controller: requeueAfter and requeue; Retry-After of a 429 is a floor for the backoff", async () => {
  const clock = new FakeClock();
  const r = reconciler((req, _ctx, n) => {
    if (req.name === "after") return n <= 2 ? { requeueAfterMs: 600_000 } : {};
    if (req.name === "again") return { requeue: r.calls.filter((c) => c === "/again").length < 2 };
    throw apiErrorFrom(429, statusBody(429, "TooManyRequests", "slow down"), "30");
  });
  const c = new Controller({ name: "ctl-requeue", reconciler: r, clock });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  c.enqueue({ name: "after" });
  await eventually(() => r.calls.length === 1);
  await clock.advance(599_999);
  assert.equal(r.calls.length, 1);
  await clock.advance(1);
  await eventually(() => r.calls.length === 2, { description: "requeued after 10 minutes" });
  c.enqueue({ name: "again" });
  await eventually(() => r.calls.length === 3);
  await clock.advance(5);
  await eventually(() => r.calls.filter((x) => x === "/again").length === 2, { description: "requeue with backoff" });
  const before = r.calls.length;
  c.enqueue({ name: "limited" });
  await eventually(() => r.calls.length === before + 1);
  await clock.advance(29_999);
  assert.equal(r.calls.filter((x) => x === "/limited").length, 1, "waits for Retry-After, not 5 ms");
  await clock.advance(1);
  await eventually(() => r.calls.filter((x) => x === "/limited").length === 2);
  stop.abort();
  await done;
});

Deno.test("controller: shutdown lets the in-flight reconcile finish and starts nothing new", async () => {
  const inside = Promise.withResolvers<void>();
  const finish = Promise.withResolvers<void>();
  let finished = false;
  let sawAbort = false;
  const r = reconciler(async (req, ctx) => {
    if (req.name !== "slow") return;
    inside.resolve();
    await finish.promise;
    sawAbort = ctx.signal.aborted;
    finished = true;
  });
  const c = new Controller({ name: "ctl-shutdown", reconciler: r, concurrency: 1, clock: new FakeClock() });
  const stop = new AbortController();
  const done = c.start(stop.signal);
  c.enqueue({ name: "slow" });
  await inside.promise;
  c.enqueue({ name: "queued-1" });
  c.enqueue({ name: "queued-2" });
  stop.abort();
  let resolved = false;
  void done.then(() => (resolved = true));
  await settle();
  assert.equal(resolved, false, "start() waits for the in-flight reconcile");
  finish.resolve();
  await done;
  assert.ok(finished);
  assert.ok(sawAbort, "the reconcile saw the shutdown signal");
  assert.deepEqual(r.calls, ["/slow"], "queued keys were not started after the signal");
  c.enqueue({ name: "late" });
  await settle();
  assert.deepEqual(r.calls, ["/slow"]);
});

/** A namespaced custom resource whose status is a subresource: the server bumps generation on spec changes only. */
const gadgets: ResourceType = {
  group: "example.com",
  version: "v1",
  resource: "gadgets",
  kind: "Gadget",
  namespaced: true,
  subresources: ["status"],
};

Deno.test("controller: waits for informer sync; predicates filter events; map functions route other objects", async () => {
  const api = await startRecordedApiServer({ bookmarkIntervalMs: 1000, crds: [crdFor(gadgets)] });
  const client = new KubeClient(api.connection());
  const stop = new AbortController();
  try {
    await api.admin.put(gadgets, { metadata: { name: "own", namespace: "ns" }, spec: { v: 1 } } as KubeObject);
    const owned = new Informer(client, gadgets);
    const secrets = new Informer(client, CoreV1.secrets);
    const seen: string[] = [];
    let cacheSizeAtFirstReconcile = -1;
    const c = new Controller({
      name: "ctl-watch",
      reconciler: {
        reconcile: (req) => {
          if (cacheSizeAtFirstReconcile < 0) cacheSizeAtFirstReconcile = owned.size();
          seen.push(`${req.namespace}/${req.name}`);
          return Promise.resolve();
        },
      },
    })
      .watch(owned, { predicates: [generationChanged()] })
      .watch(secrets, {
        map: (s) => {
          const owner = s.metadata.annotations?.["example.com/owner"];
          return owner ? [{ namespace: s.metadata.namespace, name: owner }] : [];
        },
      });
    const done = c.start(stop.signal);
    await settle();
    assert.equal(seen.length, 0, "nothing before the caches are synced");
    owned.start(stop.signal);
    secrets.start(stop.signal);
    await eventually(() => seen.length === 1);
    assert.equal(cacheSizeAtFirstReconcile, 1);
    assert.deepEqual([...seen], ["ns/own"]);

    // status-only change (generation unchanged) is filtered; a spec change passes
    const statusOnly = await api.admin.putStatus(gadgets, {
      metadata: { name: "own", namespace: "ns" },
      status: { x: 1 },
    });
    assert.equal(statusOnly.metadata.generation, 1);
    const rv = String(await api.admin.currentResourceVersion());
    await eventually(() => owned.get("ns/own")?.metadata.resourceVersion === rv);
    await settle();
    assert.equal(seen.length, 1, "generation unchanged: dropped");
    await api.admin.put(gadgets, { metadata: { name: "own", namespace: "ns" }, spec: { v: 2 } } as KubeObject); // generation 2
    await eventually(() => seen.length === 2);

    // a secret annotated with its owner enqueues the owner; moving it enqueues old and new owner
    await api.admin.put(CoreV1.secrets, {
      metadata: { name: "s", namespace: "ns", annotations: { "example.com/owner": "first" } },
    } as KubeObject);
    await eventually(() => seen.includes("ns/first"));
    await api.admin.put(CoreV1.secrets, {
      metadata: { name: "s", namespace: "ns", annotations: { "example.com/owner": "second" } },
    } as KubeObject);
    await eventually(() => seen.includes("ns/second") && seen.filter((s) => s === "ns/first").length === 2);
    stop.abort();
    await done;
  } finally {
    stop.abort();
    client.close();
    await api.stop();
  }
});

Deno.test("predicates", () => {
  const obj = (meta: Partial<KubeObject["metadata"]>, spec: Record<string, unknown> = {}) =>
    ({ metadata: { name: "x", ...meta }, spec }) as KubeObject;
  assert.equal(generationChanged().update!(obj({ generation: 1 }), obj({ generation: 1 })), false);
  assert.equal(generationChanged().update!(obj({ generation: 1 }), obj({ generation: 2 })), true);
  const ann = annotationChanged("a");
  assert.equal(ann.update!(obj({ annotations: { a: "1", b: "1" } }), obj({ annotations: { a: "1", b: "2" } })), false);
  assert.equal(ann.update!(obj({}), obj({ annotations: { a: "1" } })), true);
  assert.equal(resourceVersionChanged().update!(obj({ resourceVersion: "1" }), obj({ resourceVersion: "1" })), false);
  assert.equal(labelsChanged().update!(obj({ labels: { a: "1" } }), obj({ labels: { a: "1" } })), false);
  assert.equal(labelsChanged().update!(obj({ labels: { a: "1" } }), obj({ labels: { a: "2" } })), true);
  assert.equal(labelsChanged().update!(obj({}), obj({ labels: { a: "1" } })), true);
  const t = hasType("equinixmetal");
  assert.equal(t.create!(obj({}, { type: "equinixmetal" })), true);
  assert.equal(t.create!(obj({}, { type: "aws" })), false);
  assert.equal(
    t.update!(obj({}, { type: "equinixmetal" }), obj({}, { type: "aws" })),
    false,
    "judged on the new object",
  );
  assert.equal(hasClass().create!(obj({}, {})), true, "no class means shoot");
  assert.equal(hasClass().create!(obj({}, { class: "seed" })), false);
  assert.equal(hasClass("seed", "shoot").create!(obj({}, { class: "seed" })), true);
  const both = and(hasType("equinixmetal"), generationChanged());
  assert.equal(
    passes([both], {
      type: "update",
      oldObj: obj({ generation: 1 }, { type: "equinixmetal" }),
      obj: obj({ generation: 2 }, { type: "equinixmetal" }),
    }),
    true,
  );
  assert.equal(passes([both], { type: "create", obj: obj({}, { type: "aws" }) }), false);
  const either = or(objectFilter((o) => o.metadata.name === "y"), annotationChanged("a"));
  assert.equal(either.update!(obj({}), obj({})), false);
  assert.equal(either.update!(obj({}), obj({ annotations: { a: "z" } })), true);
  assert.equal(passes([], { type: "delete", obj: obj({}) }), true);
});
