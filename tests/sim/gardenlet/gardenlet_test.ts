/**
 * The gardenlet simulation against a fake seed with the real Gardener CRDs. A stand-in for the extension (below)
 * answers reconcile requests the way the extension protocol prescribes, and records what it saw, so the tests check
 * gardenlet's side: what is created in which order with which annotations, the waits, the copy of the provider
 * status, the re-annotation after a user's change, and the deletion order with its confirmation annotation.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoreV1, ExtensionsV1alpha1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import { configureLogging } from "../../../src/observability/log.ts";
import { readManifestDir } from "../../../src/playground/manifests.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import {
  GardenletSimulation,
  rfc3339Nano,
  shootObjects,
  shootTemplateFrom,
  withPoolMachineType,
} from "../../../src/sim/gardenlet/mod.ts";
import { eventually } from "../../support/eventually.ts";
import { loadCrds } from "../../../src/playground/crds.ts";

configureLogging({ level: "error" });
const EXAMPLE = new URL("../../../example/", import.meta.url).pathname;
const template = shootTemplateFrom(await readManifestDir(EXAMPLE));
const NS = "shoot--garden--playground";
const PROVIDER_STATUS = {
  apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
  kind: "InfrastructureStatus",
  sshKeyID: "9a1b2c3d-0000-4000-8000-000000000001",
};
const FINALIZER = "extensions.gardener.cloud/test";

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** Answers reconcile requests like an extension: finalizer, remove the annotation, report Succeeded. */
class StandInExtension {
  readonly seen: string[] = [];
  answer = true;
  /** Report this error (with a non-retryable code) instead of success. */
  fail?: string;
  private stopped = false;
  private loop?: Promise<void>;
  constructor(private readonly client: KubeClient) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        for (
          const [res, kind] of [
            [ExtensionsV1alpha1.infrastructures, "Infrastructure"],
            [ExtensionsV1alpha1.controlPlanes, "ControlPlane"],
            [ExtensionsV1alpha1.workers, "Worker"],
          ] as const
        ) {
          for (const o of (await this.client.list<Obj>(res)).items) await this.handle(res, kind, o).catch(() => {});
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async handle(res: ResourceType, kind: string, o: Obj): Promise<void> {
    const ns = o.metadata.namespace;
    if (o.metadata.deletionTimestamp) {
      if (!o.metadata.finalizers?.includes(FINALIZER)) return;
      const confirmed = o.metadata.annotations?.["confirmation.gardener.cloud/deletion"] === "true";
      await this.client.patch(res, o.metadata.name!, { metadata: { finalizers: [] } }, "merge", { namespace: ns });
      this.seen.push(`delete ${kind}${confirmed ? " (confirmed)" : ""}`);
      return;
    }
    if (o.metadata.annotations?.["gardener.cloud/operation"] !== "reconcile" || !this.answer) return;
    if (this.fail) {
      await this.client.patch(
        res,
        o.metadata.name!,
        {
          status: { lastError: { description: this.fail, codes: ["ERR_CONFIGURATION_PROBLEM"] } },
        },
        "merge",
        { namespace: ns, subresource: "status" },
      );
      return;
    }
    let seen = `reconcile ${kind} (timestamp ${
      o.metadata.annotations?.["gardener.cloud/timestamp"] ? "set" : "missing"
    })`;
    if (kind === "Worker" || kind === "ControlPlane") {
      const infra = await this.client.get<Obj>(ExtensionsV1alpha1.infrastructures, o.metadata.name!, { namespace: ns });
      const infraState = (infra.status?.lastOperation as { state?: string } | undefined)?.state;
      seen = `reconcile ${kind} (Infrastructure ${infraState}, status ${
        JSON.stringify(o.spec?.infrastructureProviderStatus)
      })`;
    }
    const patched = await this.client.patch<Obj>(
      res,
      o.metadata.name!,
      {
        metadata: { annotations: { "gardener.cloud/operation": null }, finalizers: [FINALIZER] },
      },
      "merge",
      { namespace: ns },
    );
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    // The extension's rule: machineDeploymentsLastUpdateTime strictly later (seconds) than the previous value.
    const previous = Date.parse(String(o.status?.machineDeploymentsLastUpdateTime ?? "")) || 0;
    const published = new Date(Math.max(Date.parse(now), previous + 1000)).toISOString().replace(/\.\d+Z$/, "Z");
    await this.client.patch(
      res,
      o.metadata.name!,
      {
        status: {
          observedGeneration: patched.metadata.generation,
          lastOperation: {
            type: "Reconcile",
            state: "Succeeded",
            progress: 100,
            lastUpdateTime: now,
            description: "ok",
          },
          ...(kind === "Infrastructure" ? { providerStatus: PROVIDER_STATUS } : {}),
          ...(kind === "Worker" ? { machineDeploymentsLastUpdateTime: published } : {}),
        },
      },
      "merge",
      { namespace: ns, subresource: "status" },
    );
    this.seen.push(seen);
  }
}

async function setup(opts: { waitTimeoutMs?: number; flow?: string[] } = {}) {
  const api = await startApiServer({ namespaces: ["default", "kube-system"] });
  await api.installCrds(loadCrds());
  const client = new KubeClient(api.connection());
  const notices: string[] = [];
  const gardenlet = new GardenletSimulation({
    client: new KubeClient(api.connection()),
    waitTimeoutMs: opts.waitTimeoutMs,
    onNotice: (m) => notices.push(m),
    deployMachineControllerManager: (s) => Promise.resolve(void opts.flow?.push(`deploy MCM ${s.technicalId}`)),
    destroyMachineControllerManager: (s) => Promise.resolve(void opts.flow?.push(`destroy MCM ${s.technicalId}`)),
  });
  const stop = new AbortController();
  const running = gardenlet.start(stop.signal);
  await gardenlet.waitForSync();
  const extension = new StandInExtension(client);
  extension.start();
  const shoot = shootObjects(template, {
    name: "playground",
    index: 0,
    credentials: { apiToken: "token-abcdef-123456", projectId: "2f0b8a7c-5d4e-4c3b-9a1f-6e7d8c9b0a12" },
  });
  return {
    api,
    client,
    gardenlet,
    extension,
    notices,
    shoot,
    async close() {
      await extension.stop();
      stop.abort();
      await running;
      client.close();
      (gardenlet as unknown as { opts: { client: KubeClient } }).opts.client.close();
      await api.stop();
    },
  };
}

Deno.test("create: namespace, secrets, Cluster, Infrastructure; the ControlPlane and then the Worker only after the Infrastructure is ready, with its provider status", async () => {
  const t = await setup();
  try {
    const before = Date.now();
    const created = await t.gardenlet.createShoot(t.shoot);
    assert.ok(created.infrastructureReadyAt >= before && created.workerReadyAt >= created.infrastructureReadyAt);
    // The stand-in records after its status write, which gardenlet may already have seen.
    await eventually(() => t.extension.seen.length === 3, { description: "three reconciles recorded" });
    assert.deepEqual(t.extension.seen, [
      "reconcile Infrastructure (timestamp set)",
      `reconcile ControlPlane (Infrastructure Succeeded, status ${JSON.stringify(PROVIDER_STATUS)})`,
      `reconcile Worker (Infrastructure Succeeded, status ${JSON.stringify(PROVIDER_STATUS)})`,
    ]);
    const ns = await t.client.get(CoreV1.namespaces, NS);
    assert.equal(ns.metadata.labels?.["gardener.cloud/role"], "shoot");
    assert.equal(ns.metadata.labels?.["shoot.gardener.cloud/provider"], "equinixmetal");
    const secret = await t.client.get<KubeObject & { data: Record<string, string> }>(CoreV1.secrets, "cloudprovider", {
      namespace: NS,
    });
    assert.equal(atob(secret.data.apiToken), "token-abcdef-123456");
    for (const name of ["user-data-pool-a", "user-data-pool-b"]) {
      await t.client.get(CoreV1.secrets, name, { namespace: NS });
    }
    await t.client.get(ExtensionsV1alpha1.clusters, NS);
    const worker = await t.client.get<Obj>(ExtensionsV1alpha1.workers, "playground", { namespace: NS });
    assert.deepEqual(worker.spec?.infrastructureProviderStatus, PROVIDER_STATUS);
    assert.match(
      worker.metadata.annotations?.["gardener.cloud/timestamp"] ?? "",
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/,
    );
    assert.equal(worker.metadata.annotations?.["gardener.cloud/operation"], undefined, "removed by the extension");
    // Running it again changes nothing but requests another reconcile of both objects.
    await t.gardenlet.createShoot(t.shoot);
    await eventually(() => t.extension.seen.length === 6, { description: "three more reconciles" });
    const cp = await t.client.get<Obj>(ExtensionsV1alpha1.controlPlanes, "playground", { namespace: NS });
    assert.equal(cp.spec?.type, "equinixmetal");
    assert.deepEqual(cp.spec?.secretRef, { name: "cloudprovider", namespace: NS });
    assert.deepEqual(cp.spec?.infrastructureProviderStatus, PROVIDER_STATUS);
  } finally {
    await t.close();
  }
});

Deno.test("a wait ends with gardenlet's timeout naming the object and what it still waits for", async () => {
  const t = await setup({ waitTimeoutMs: 300 });
  t.extension.answer = false;
  try {
    await assert.rejects(
      t.gardenlet.createShoot(t.shoot),
      /timed out waiting for Infrastructure shoot--garden--playground\/playground to be ready: observed generation outdated \(0\/1\)/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a non-retryable error fails the shoot at once instead of waiting out the timeout", async () => {
  const t = await setup({ waitTimeoutMs: 600_000 });
  t.extension.fail = "the project already holds this key";
  try {
    await assert.rejects(
      t.gardenlet.createShoot(t.shoot),
      /Infrastructure shoot--garden--playground\/playground to be ready: non-retryable error, the shoot fails: the project already holds this key \[ERR_CONFIGURATION_PROBLEM\]/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a user's change of the Worker spec is answered with a reconcile request and, for a new machine type, a new node-agent secret", async () => {
  const t = await setup();
  try {
    await t.gardenlet.createShoot(t.shoot);
    const get = () => t.client.get<Obj>(ExtensionsV1alpha1.workers, "playground", { namespace: NS });
    const before = await get();
    const oldTs = before.metadata.annotations!["gardener.cloud/timestamp"];
    const oldSecret = (before.spec!.pools as Array<Record<string, string>>)[0].nodeAgentSecretName;
    await new Promise((r) => setTimeout(r, 5)); // a later timestamp
    const changed = withPoolMachineType(before, "pool-a", "m3.small.x86");
    await t.client.update(ExtensionsV1alpha1.workers, changed, { namespace: NS });
    const after = await eventually(async () => {
      const w = await get();
      return w.metadata.annotations?.["gardener.cloud/timestamp"] !== oldTs ? w : undefined;
    }, { description: "a new reconcile request" });
    const pool = (after.spec!.pools as Array<Record<string, string>>)[0];
    assert.equal(pool.machineType, "m3.small.x86");
    assert.notEqual(pool.nodeAgentSecretName, oldSecret, "a new OperatingSystemConfig, so a new secret name");
    assert.ok(Date.parse(after.metadata.annotations!["gardener.cloud/timestamp"]) > Date.parse(oldTs));
    assert.equal(t.notices.length, 1);
    assert.match(
      t.notices[0],
      /Worker shoot--garden--playground\/playground spec changed \(generation \d+\): requesting a reconcile/,
    );
    await eventually(() => t.extension.seen.filter((s) => s.startsWith("reconcile Worker")).length === 2, {
      description: "the extension to reconcile again",
    });
    // A metadata-only change (no new generation) requests nothing.
    await t.client.patch(ExtensionsV1alpha1.workers, "playground", { metadata: { labels: { x: "y" } } }, "merge", {
      namespace: NS,
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.notices.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("delete: Worker, ControlPlane, then Infrastructure, each confirmed and awaited; then Cluster and namespace; under injected conflicts", async () => {
  const t = await setup();
  try {
    await t.gardenlet.createShoot(t.shoot);
    t.api.faults.add({ verb: "patch", status: 409, probability: 0.3 });
    t.api.faults.add({ verb: "update", status: 409, probability: 0.3 });
    await t.gardenlet.deleteShoot(t.shoot);
    await eventually(() => t.extension.seen.filter((s) => s.startsWith("delete")).length >= 3, {
      description: "the three deletions recorded",
    });
    assert.deepEqual(t.extension.seen.filter((s) => s.startsWith("delete")), [
      "delete Worker (confirmed)",
      "delete ControlPlane (confirmed)",
      "delete Infrastructure (confirmed)",
    ]);
    for (
      const [res, name, namespace] of [
        [ExtensionsV1alpha1.workers, "playground", NS],
        [ExtensionsV1alpha1.controlPlanes, "playground", NS],
        [ExtensionsV1alpha1.infrastructures, "playground", NS],
        [ExtensionsV1alpha1.clusters, NS, undefined],
        [CoreV1.namespaces, NS, undefined],
      ] as const
    ) {
      await assert.rejects(t.client.get(res, name, { namespace }), /not found/, `${res.kind} ${name}`);
    }
    assert.ok(t.gardenlet.stats.writes > 0);
  } finally {
    await t.close();
  }
});

Deno.test("timestamps are written in RFC3339Nano", () => {
  assert.equal(rfc3339Nano(Date.UTC(2026, 0, 2, 3, 4, 5, 600)), "2026-01-02T03:04:05.6Z");
});

Deno.test("machine-controller-manager is deployed before the Worker and deleted once the Worker is gone", async () => {
  const flow: string[] = [];
  const t = await setup({ flow });
  try {
    await t.gardenlet.createShoot(t.shoot);
    await t.gardenlet.deleteShoot(t.shoot);
    await eventually(() => t.extension.seen.filter((s) => s.startsWith("delete")).length === 3, {
      description: "the three deletions recorded",
    });
    const merged = [...t.extension.seen.map((s) => s.replace(/ \(.*$/, "")), ...flow];
    assert.deepEqual(flow, [`deploy MCM ${NS}`, `destroy MCM ${NS}`]);
    assert.ok(merged.includes("reconcile Worker") && merged.includes("delete Worker"));
  } finally {
    await t.close();
  }
});
