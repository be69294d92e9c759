/**
 * Conditions are written with the object's resourceVersion: when the cache is stale (the reconciler wrote
 * lastOperation in between), the update conflicts, the object is read again and only the conditions change — the
 * reconciler's fields survive. And the reverse: the reconciler's status patches keep the conditions.
 */
import assert from "node:assert/strict";
import { ExtensionsV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Informer } from "../../../src/k8s/cache/informer.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { HealthCheckReconciler } from "../../../src/extension/generichealthcheck/mod.ts";
import { WORKER } from "../../../src/extension/reconciler/mod.ts";
import { HealthHarness, NAME, NS, SYNC_MS } from "./harness.ts";

Deno.test("healthcheck: a conflict re-reads the object and writes only the conditions, keeping lastOperation", async () => {
  const h = await HealthHarness.start(1);
  try {
    const stale = await h.worker();
    // The reconciler writes in between (a merge patch of lastOperation), so the cached copy is outdated.
    const lastOperation = {
      type: "Reconcile",
      state: "Succeeded",
      progress: 100,
      description: "done",
      lastUpdateTime: "2026-11-21T00:00:00Z",
    };
    await h.seedClient.patch(ExtensionsV1alpha1.workers, NAME, { status: { lastOperation } }, "merge", {
      namespace: NS,
      subresource: "status",
    });
    const cache = { get: () => stale } as unknown as Informer<KubeObject>;
    const noCluster = { get: () => undefined } as unknown as Informer<KubeObject>;
    const reconciler = new HealthCheckReconciler({
      registration: {
        kind: WORKER,
        checks: [{ conditionType: "EveryNodeReady", name: "fixed", check: () => ({ status: "True" }) }],
      },
      client: h.seedClient,
      objects: cache,
      clusters: noCluster,
      syncPeriodMs: SYNC_MS,
      clock: h.clock,
    });
    const result = await reconciler.reconcile({ namespace: NS, name: NAME }, {
      signal: new AbortController().signal,
      log: getLogger("test"),
    });
    assert.deepEqual(result, { requeueAfterMs: SYNC_MS });
    const w = await h.worker() as KubeObject & { status: { lastOperation: unknown; conditions: { type: string }[] } };
    assert.deepEqual(w.status.lastOperation, lastOperation, "the reconciler's field survived");
    assert.deepEqual(w.status.conditions.map((c) => c.type), ["EveryNodeReady"]);
    assert.equal(reconciler.writeCount, 1);
    const by = h.seed.counters.snapshot().byVerbResource;
    assert.equal(by["update workers/status"], 2, "one conflict, one write");

    // The reconciler's next status patch leaves the conditions alone.
    await h.seedClient.patch(
      ExtensionsV1alpha1.workers,
      NAME,
      { status: { lastOperation: { ...lastOperation, description: "again" } } },
      "merge",
      {
        namespace: NS,
        subresource: "status",
      },
    );
    const after = await h.worker() as KubeObject & { status: { conditions: { type: string }[] } };
    assert.deepEqual(after.status.conditions, w.status.conditions);
  } finally {
    await h.close();
  }
});
