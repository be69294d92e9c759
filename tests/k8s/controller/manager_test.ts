/** The manager against the fake API server: graceful shutdown, lease hand-back, probes, leadership loss. */
import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Controller } from "../../../src/k8s/controller/controller.ts";
import type { Lease } from "../../../src/k8s/api/builtin_types.ts";
import { Manager } from "../../../src/k8s/controller/manager.ts";
import { CoordinationV1, CoreV1 } from "../../../src/k8s/api/resources.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { eventually } from "../../support/eventually.ts";

async function withApi(fn: (api: ApiServer, client: KubeClient) => Promise<void>): Promise<void> {
  const api = await startApiServer({ bookmarkIntervalMs: 60_000 });
  const client = new KubeClient(api.connection());
  const logs = captureLogs(); // shutdown paths log errors on purpose
  try {
    await fn(api, client);
  } finally {
    logs.restore();
    client.close();
    await api.stop();
  }
}

const lease = (client: KubeClient, name: string) =>
  client.get<Lease>(CoordinationV1.leases, name, { namespace: "default" });

async function status(url: string): Promise<number> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.status;
}

Deno.test("manager: graceful shutdown finishes the in-flight reconcile, starts nothing new, releases the lease, stops informers and probes", async () => {
  await withApi(async (_api, client) => {
    const mgr = new Manager({
      client,
      leaderElection: { namespace: "default", name: "mgr-graceful", identity: "mgr-a" },
      probeAddresses: ["127.0.0.1:0"],
      gracefulShutdownMs: 30_000,
    });
    const informer = mgr.informers.informer(CoreV1.configMaps, { namespace: "default" });
    const calls: string[] = [];
    const inside = Promise.withResolvers<void>();
    const gate = Promise.withResolvers<void>();
    let slowFinished = false;
    const controller = new Controller({
      name: "mgr-graceful",
      reconciler: {
        async reconcile(req) {
          calls.push(req.name);
          if (req.name !== "slow") return;
          inside.resolve();
          await gate.promise;
          slowFinished = true;
        },
      },
    }).watch(informer);
    mgr.add(controller);
    assert.equal((await mgr.readiness.evaluate()).ok, false, "not ready before the caches synced");
    assert.match((await mgr.readiness.evaluate()).failures.join(), /informers-synced: informer caches are not synced/);

    await client.create(CoreV1.configMaps, { metadata: { name: "slow", namespace: "default" } });
    const stop = new AbortController();
    const done = mgr.start(stop.signal);
    await inside.promise;
    const [probe] = mgr.probeUrls;
    assert.equal(await status(`${probe}/readyz`), 200, "ready once caches are synced");
    assert.equal(await status(`${probe}/healthz`), 200);
    assert.equal((await lease(client, "mgr-graceful")).spec?.holderIdentity, "mgr-a");

    await client.create(CoreV1.configMaps, { metadata: { name: "queued-1", namespace: "default" } });
    await client.create(CoreV1.configMaps, { metadata: { name: "queued-2", namespace: "default" } });
    await eventually(() => controller.queueLength() === 3, { description: "two keys queued behind the slow one" });

    stop.abort();
    let stopped = false;
    void done.then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stopped, false, "waits for the in-flight reconcile");
    assert.equal((await lease(client, "mgr-graceful")).spec?.holderIdentity, "mgr-a", "lease kept while working");
    gate.resolve();
    await done;
    assert.ok(slowFinished, "the in-flight reconcile completed");
    assert.deepEqual(calls, ["slow"], "no reconcile started after the signal");
    assert.equal((await lease(client, "mgr-graceful")).spec?.holderIdentity, undefined, "lease released");
    assert.equal(mgr.stopReason, "signal");
    assert.equal(mgr.lostLeadership, false);
    await informer.stopped();
    await assert.rejects(fetch(`${probe}/healthz`), "probe server stopped");
  });
});

Deno.test("manager: work that outlives the grace period keeps the lease (no successor while it may still run)", async () => {
  await withApi(async (_api, client) => {
    const mgr = new Manager({
      client,
      leaderElection: { namespace: "default", name: "mgr-timeout", identity: "mgr-stuck" },
      gracefulShutdownMs: 100,
    });
    const inside = Promise.withResolvers<void>();
    const never = Promise.withResolvers<void>();
    mgr.add({
      async start() {
        inside.resolve();
        await never.promise; // ignores its signal
      },
    });
    const stop = new AbortController();
    const done = mgr.start(stop.signal);
    await inside.promise;
    stop.abort();
    await done;
    assert.equal((await lease(client, "mgr-timeout")).spec?.holderIdentity, "mgr-stuck", "not released");
    never.resolve();
  });
});

Deno.test("manager: losing the lease stops every runnable and start() resolves with lostLeadership", async () => {
  await withApi(async (api, client) => {
    const mgr = new Manager({
      client,
      leaderElection: {
        namespace: "default",
        name: "mgr-lost",
        identity: "mgr-lost-a",
        leaseDurationMs: 1_500,
        renewDeadlineMs: 1_000,
        retryPeriodMs: 200,
      },
    });
    const leading = Promise.withResolvers<void>();
    let leaderWorkStopped = false;
    let otherStopped = false;
    mgr.add({
      async start(signal) {
        leading.resolve();
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        leaderWorkStopped = true;
      },
    });
    mgr.add({
      async start(signal) {
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        otherStopped = true;
      },
    }, { needLeaderElection: false });
    const done = mgr.start(new AbortController().signal);
    await leading.promise;
    api.faults.add({ verb: "update", resource: "leases", status: 503 });
    await done;
    assert.ok(mgr.lostLeadership);
    assert.equal(mgr.stopReason, "leadership-lost");
    assert.ok(leaderWorkStopped && otherStopped);
  });
});

Deno.test("manager: a failing runnable stops the manager and start() rejects with its error; no leader election", async () => {
  await withApi(async (_api, client) => {
    const mgr = new Manager({ client });
    let otherStopped = false;
    mgr.add({
      async start(signal) {
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        otherStopped = true;
      },
    });
    mgr.add({ start: () => Promise.reject(new Error("cannot bind webhook port")) });
    await assert.rejects(mgr.start(new AbortController().signal), /cannot bind webhook port/);
    assert.equal(mgr.stopReason, "runnable-failed");
    assert.ok(otherStopped);
    await assert.rejects(mgr.start(new AbortController().signal), /already started/);
  });
});

Deno.test("manager: lease renewals do not wait behind the controllers' requests in the client's rate limiter", async () => {
  await withApi(async (api) => {
    // 1 request per second for the controllers: 60 queued reads would hold a shared limiter for a minute.
    const client = new KubeClient(api.connection(), { qps: 1, burst: 1 });
    const mgr = new Manager({
      client,
      leaderElection: {
        namespace: "default",
        name: "mgr-busy",
        identity: "mgr-busy-a",
        leaseDurationMs: 1_500,
        renewDeadlineMs: 1_000,
        retryPeriodMs: 200,
      },
    });
    const stop = new AbortController();
    const leading = Promise.withResolvers<void>();
    const busy = new AbortController();
    mgr.add({
      async start(signal) {
        leading.resolve();
        const reads = Array.from(
          { length: 60 },
          () => client.list(CoreV1.configMaps, { namespace: "default", signal: busy.signal }).catch(() => {}),
        );
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        busy.abort();
        await Promise.all(reads);
      },
    });
    const done = mgr.start(stop.signal);
    await leading.promise;
    // Renewed at least twice more (every 200 ms) while the controllers' reads are queued.
    const before = api.counters.snapshot().byVerbResource["update leases"] ?? 0;
    await eventually(() => (api.counters.snapshot().byVerbResource["update leases"] ?? 0) >= before + 2, {
      timeoutMs: 5_000,
      description: "two lease renewals while the rate limiter is saturated",
    });
    stop.abort();
    await done;
    assert.equal(mgr.lostLeadership, false);
    assert.equal(mgr.stopReason, "signal");
    client.close();
  });
});
