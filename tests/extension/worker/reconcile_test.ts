/**
 * The Worker controller behind the generic reconciler against the fake API server with the real CRDs: create, the
 * non-blocking rollout wait, status for gardenlet, zero writes when up to date, rolling updates, failed machines,
 * clean-up of obsolete objects, hibernation, template annotations of others (gardenlet's manual rollout).
 */
import assert from "node:assert/strict";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { AppsV1, CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { MachineClass, MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { WorkerHarness } from "./harness.ts";
import { encodeInfrastructureStatus } from "../../../src/apis/equinixmetal/helper.ts";
import { decodeForCreate } from "../../../src/mcm/driver/provider_spec.ts";
import { readinessProblems } from "../reconciler/harness.ts";
import { NS, pool, RESERVATION, USER_DATA, workerConfig, workerObject } from "./fixtures.ts";

const Z = (pool: string, n: number) => `${NS}-${pool}-z${n}`;

Deno.test("create: classes, secrets and deployments per pool and zone; progressing until MCM rolled out; then Succeeded and ready", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.createWorker();
    await h.annotate();
    const result = await h.reconcile();
    assert.deepEqual(result, { requeueAfterMs: 5000 }, "waits without blocking");

    const mds = await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments);
    assert.deepEqual(mds.map((d) => d.metadata.name), [Z("pool-a", 1), Z("pool-b", 1), Z("pool-b", 2)]);
    const classes = await h.list<MachineClass>(MachineV1alpha1.machineClasses);
    assert.equal(classes.length, 3);
    for (const [i, md] of mds.entries()) {
      assertValidAgainstCrd(md);
      assert.equal(md.spec.template.spec?.class?.name, classes[i].metadata.name);
      assert.match(classes[i].metadata.name!, new RegExp(`^${md.metadata.name}-[0-9a-f]{5}$`));
    }
    for (const c of classes) assertValidAgainstCrd(c);
    assert.deepEqual(await h.classSecretNames(), classes.map((c) => c.metadata.name));
    const secret = await h.client.get<Secret & KubeObject>(CoreV1.secrets, classes[0].metadata.name!, {
      namespace: NS,
    });
    assert.equal(
      new TextDecoder().decode(Uint8Array.from(atob(secret.data!.userData), (c) => c.charCodeAt(0))),
      USER_DATA,
    );

    // pool-b: minimum 2, maximum 4 over 2 zones; replicas of new deployments are the minimum.
    assert.deepEqual(mds.map((d) => d.spec.replicas), [1, 1, 1]);

    let w = await h.getWorker();
    assertValidAgainstCrd(w);
    assert.equal(w.status?.lastOperation?.state, "Processing");
    assert.match(
      w.status?.lastOperation?.description ?? "",
      /machine-controller-manager to create the updated machine set/,
    );
    assert.deepEqual(w.status?.machineDeployments, [
      { name: Z("pool-a", 1), minimum: 1, maximum: 1 },
      { name: Z("pool-b", 1), minimum: 1, maximum: 2 },
      { name: Z("pool-b", 2), minimum: 1, maximum: 2 },
    ]);
    assert.equal(w.status?.machineDeploymentsLastUpdateTime, "2026-11-21T00:00:00Z");
    assert.deepEqual(w.status?.providerStatus, {
      apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
      kind: "WorkerStatus",
      machineImages: [{ name: "flatcar", version: "4081.2.0", id: "flatcar_stable" }],
    });

    await h.mcm.addFinalizers();
    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    w = await h.getWorker();
    assert.deepEqual(readinessProblems(w), []);
    assertValidAgainstCrd(w);
    assert.equal(w.status?.lastOperation?.type, "Create");
  } finally {
    await h.close();
  }
});

Deno.test('SSH access disabled (sshKeyID ""): the Worker reconciles to Succeeded and its classes list no sshKeys', async () => {
  const h = await WorkerHarness.start();
  try {
    const worker = workerObject();
    worker.spec.infrastructureProviderStatus = encodeInfrastructureStatus({ sshKeyID: "" });
    await h.createWorker(worker);
    await h.annotate();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    let w = await h.getWorker();
    assert.equal(w.status?.lastError, undefined);
    const classes = await h.list<MachineClass>(MachineV1alpha1.machineClasses);
    assert.equal(classes.length, 3);
    for (const c of classes) {
      assertValidAgainstCrd(c);
      assert.ok(!("sshKeys" in (c.providerSpec as Record<string, unknown>)), c.metadata.name);
      // The driver accepts the class and sends no_ssh_keys for it (tests/mcm/driver).
      assert.equal(decodeForCreate(c.providerSpec).sshKeys, undefined);
    }
    await h.mcm.addFinalizers();
    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    w = await h.getWorker();
    assert.deepEqual(readinessProblems(w), []);
  } finally {
    await h.close();
  }
});

Deno.test("an up-to-date Worker: a resync writes nothing; a new request renews machineDeploymentsLastUpdateTime only", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.createWorker();
    await h.annotate();
    await h.reconcile();
    await h.mcm.addFinalizers();
    await h.mcm.settleAll();
    await h.reconcile();
    const before = await h.getWorker();
    assert.deepEqual(readinessProblems(before), []);

    h.resetCounters();
    await h.clock.advance(60_000);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(h.writes(), 0, "a resync of an up-to-date Worker writes nothing");

    await h.annotate();
    h.resetCounters();
    await h.clock.advance(1000);
    await h.reconcile();
    const after = await h.getWorker();
    assert.deepEqual(readinessProblems(after), []);
    assert.ok(after.status!.machineDeploymentsLastUpdateTime! > before.status!.machineDeploymentsLastUpdateTime!);
    const byResource = h.api.counters.snapshot().byVerbResource;
    const writes = Object.entries(byResource).filter(([k]) => /^(create|update|patch|delete)/.test(k));
    // Only the Worker: annotation removal, Processing, the machine deployments status, success.
    assert.deepEqual(writes.map(([k]) => k).sort(), ["patch workers", "patch workers/status"]);
  } finally {
    await h.close();
  }
});

Deno.test("a reservation change renames only that pool's classes and rolls it; the old class and secret go once rolled", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.readyWorker();
    const classesBefore = await h.names(MachineV1alpha1.machineClasses);
    const w = await h.getWorker();
    const pools = structuredClone(w.spec.pools);
    pools[0].providerConfig = workerConfig([RESERVATION], true);
    await h.updateWorkerSpec({ ...w.spec, pools });
    await h.clock.advance(60_000);
    await h.annotate();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });

    const classes = await h.names(MachineV1alpha1.machineClasses);
    const added = classes.filter((c) => !classesBefore.includes(c));
    assert.equal(added.length, 1);
    assert.match(added[0], new RegExp(`^${Z("pool-a", 1)}-[0-9a-f]{5}$`));
    assert.ok(classes.includes(classesBefore[0]), "the old class stays while machines use it");
    const cls = await h.client.get<MachineClass>(MachineV1alpha1.machineClasses, added[0], { namespace: NS });
    assert.deepEqual((cls.providerSpec as Record<string, unknown>).reservationIDs, [RESERVATION]);
    assert.equal((cls.providerSpec as Record<string, unknown>).reservedDevicesOnly, true);
    const md = await h.client.get<MachineDeployment>(MachineV1alpha1.machineDeployments, Z("pool-a", 1), {
      namespace: NS,
    });
    assert.equal(md.spec.template.spec?.class?.name, added[0]);

    await h.mcm.startRolling(Z("pool-a", 1));
    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    assert.match(
      (await h.getWorker()).status?.lastOperation?.description ?? "",
      /Waiting until machines are available/,
    );

    await h.mcm.settle(Z("pool-a", 1));
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.deepEqual(readinessProblems(await h.getWorker()), []);
    const old = await h.client.get(MachineV1alpha1.machineClasses, classesBefore[0], { namespace: NS });
    assert.ok(old.metadata.deletionTimestamp, "the old class is deleted (MCM's finalizer holds it until unused)");
    await h.mcm.processDeletions();
    assert.deepEqual(await h.names(MachineV1alpha1.machineClasses), [added[0], ...classesBefore.slice(1)].sort());
    assert.deepEqual(await h.classSecretNames(), [added[0], ...classesBefore.slice(1)].sort());
  } finally {
    await h.close();
  }
});

Deno.test("a manual worker pool rollout's template annotation survives a Worker reconcile; our fields are still written; a resync writes nothing", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.readyWorker();
    // gardenlet's manual rollout (`rollout-workers=pool-b`): a merge patch of every MachineDeployment of the pool.
    const rolledAt = "2026-11-21 00:01:00 +0000 UTC";
    for (const name of [Z("pool-b", 1), Z("pool-b", 2)]) {
      await h.client.patch(
        MachineV1alpha1.machineDeployments,
        name,
        { spec: { template: { metadata: { annotations: { "rollout-workers": rolledAt } } } } },
        "merge",
        { namespace: NS },
      );
    }
    await h.mcm.settleAll(); // MCM rolls the pool's machines for the changed template
    const templateAnnotations = async (name: string) =>
      (await h.client.get<MachineDeployment>(MachineV1alpha1.machineDeployments, name, { namespace: NS })).spec
        .template.metadata?.annotations;
    h.resetCounters();
    await h.clock.advance(60_000);
    const resync = await h.reconcile();
    assert.equal(h.writes(), 0, "a resync of an up-to-date Worker leaves the rollout annotation alone");
    assert.deepEqual(await templateAnnotations(Z("pool-b", 1)), { "rollout-workers": rolledAt });
    assert.equal(resync, undefined, "nothing to wait for");

    // In the same shoot reconcile gardenlet deploys the Worker, here with a change of ours for pool-b: an autoscaler
    // option (a MachineDeployment annotation) and a drain timeout (in the template).
    const w = await h.getWorker();
    const pools = structuredClone(w.spec.pools);
    pools[1].clusterAutoscaler = { scaleDownUtilizationThreshold: "0.4" };
    pools[1].machineControllerManager = { machineDrainTimeout: "30m" };
    await h.updateWorkerSpec({ ...w.spec, pools });
    await h.clock.advance(60_000);
    await h.annotate();
    await h.reconcile();

    const mds = await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments);
    const byName = new Map(mds.map((d) => [d.metadata.name, d]));
    for (const name of [Z("pool-b", 1), Z("pool-b", 2)]) {
      const md = byName.get(name)!;
      assert.deepEqual(md.spec.template.metadata?.annotations, { "rollout-workers": rolledAt }, name);
      assert.equal(md.metadata.annotations?.["autoscaler.gardener.cloud/scale-down-utilization-threshold"], "0.4");
      assert.equal(md.spec.template.spec?.drainTimeout, "30m0s", name);
      assert.deepEqual(md.spec.template.metadata?.labels, { name }, "the template's labels stay ours");
    }
    assert.equal(byName.get(Z("pool-a", 1))!.spec.template.metadata?.annotations, undefined);

    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.deepEqual(readinessProblems(await h.getWorker()), []);
    h.resetCounters();
    await h.clock.advance(60_000);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(h.writes(), 0, "a resync with a foreign template annotation writes nothing");
    assert.deepEqual(await templateAnnotations(Z("pool-b", 2)), { "rollout-workers": rolledAt });
  } finally {
    await h.close();
  }
});

Deno.test("failed machines end in lastError; capacity failures are ERR_INFRA_RESOURCES_DEPLETED", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.createWorker();
    await h.annotate();
    await h.reconcile();
    await h.mcm.settleAll();
    await h.mcm.failMachines(Z("pool-b", 2), [
      {
        name: "m-1",
        providerID: "equinixmetal://ny/d1",
        lastOperation: {
          description: "Cloud provider message - no capacity for m3.small.x86 in ny7",
          errorCode: "ResourceExhausted",
          state: "Failed",
          type: "Create",
        },
      },
    ]);
    await h.clock.advance(5000);
    const err = await h.reconcileCatching();
    assert.ok(err instanceof Error);
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.state, "Error");
    assert.deepEqual(w.status?.lastError?.codes, ["ERR_INFRA_RESOURCES_DEPLETED"]);
    assert.match(
      w.status?.lastError?.description ?? "",
      /machine\(s\) failed: "m-1": Cloud provider message - no capacity/,
    );
    assertValidAgainstCrd(w);
  } finally {
    await h.close();
  }
});

Deno.test("a removed zone: its deployment, class and secret are deleted after the rest is available; waits while MCM runs", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    const w = await h.getWorker();
    const pools = structuredClone(w.spec.pools);
    pools[1].zones = ["ny5"];
    await h.updateWorkerSpec({ ...w.spec, pools });
    await h.annotate();
    await h.reconcile();
    await h.mcm.settleAll();
    await h.clock.advance(5000);
    const r = await h.reconcile();
    assert.deepEqual(r, { requeueAfterMs: 5000 }, "MCM runs: wait until the deployment is gone");
    assert.match(
      (await h.getWorker()).status?.lastOperation?.description ?? "",
      new RegExp(`${Z("pool-b", 2)} are deleted`),
    );
    const z2 = await h.client.get(MachineV1alpha1.machineDeployments, Z("pool-b", 2), { namespace: NS });
    assert.ok(z2.metadata.deletionTimestamp);
    await h.mcm.processDeletions();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    const after = await h.getWorker();
    assert.deepEqual(readinessProblems(after), []);
    assert.deepEqual(await h.names(MachineV1alpha1.machineDeployments), [Z("pool-a", 1), Z("pool-b", 1)]);
    assert.equal((await h.names(MachineV1alpha1.machineClasses)).length, 2);
    assert.equal((await h.classSecretNames()).length, 2);
    assert.deepEqual(after.status?.machineDeployments?.[1], { name: Z("pool-b", 1), minimum: 2, maximum: 4 });
  } finally {
    await h.close();
  }
});

Deno.test("replicas: the autoscaler's value is kept within [min, max]; hibernation scales to 0 and MCM down; waking up uses the minimum", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    const scale = (name: string, replicas: number) =>
      h.client.patch(MachineV1alpha1.machineDeployments, name, { spec: { replicas } }, "merge", { namespace: NS });
    const replicas = async () =>
      (await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments)).map((d) => d.spec.replicas);

    await scale(Z("pool-b", 1), 2); // cluster-autoscaler scaled up within the maximum
    await scale(Z("pool-b", 2), 5); // above the maximum (2 per zone)
    await h.mcm.settleAll();
    await h.annotate();
    await h.reconcile();
    assert.deepEqual(await replicas(), [1, 2, 2]);

    await h.mcm.settleAll();
    await h.updateCluster({ hibernated: true });
    await h.annotate();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    assert.deepEqual(await replicas(), [0, 0, 0]);
    const machines = await h.list<KubeObject>(MachineV1alpha1.machines);
    assert.ok(machines.length > 0);
    for (const m of machines) assert.equal(m.metadata.labels?.["force-deletion"], "True", m.metadata.name);
    assert.match((await h.getWorker()).status?.lastOperation?.description ?? "", /hibernated \(5 still awake\)/);
    const mcmBefore = await h.client.get<KubeObject & { spec: { replicas: number } }>(
      AppsV1.deployments,
      "machine-controller-manager",
      {
        namespace: NS,
      },
    );
    assert.equal(mcmBefore.spec.replicas, 1, "MCM keeps running until the machines are gone");

    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    const mcm = await h.client.get<KubeObject & { spec: { replicas: number } }>(
      AppsV1.deployments,
      "machine-controller-manager",
      {
        namespace: NS,
      },
    );
    assert.equal(mcm.spec.replicas, 0);
    assert.deepEqual(readinessProblems(await h.getWorker()), []);

    await h.updateCluster({ hibernated: false });
    await h.client.patch(AppsV1.deployments, "machine-controller-manager", { spec: { replicas: 1 } }, "merge", {
      namespace: NS,
    }); // gardenlet wakes MCM up
    await h.annotate();
    await h.reconcile();
    assert.deepEqual(await replicas(), [1, 1, 1], "waking up: every deployment at its minimum");
  } finally {
    await h.close();
  }
});

Deno.test("an in-place update strategy is rejected with ERR_CONFIGURATION_PROBLEM naming the pool; nothing is created", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.createWorker(workerObject([
      pool("pool-a", "c3.small.x86", ["ny5"]),
      pool("pool-b", "m3.small.x86", ["ny5"], { updateStrategy: "ManualInPlaceUpdate" }),
    ]));
    await h.annotate();
    assert.ok(await h.reconcileCatching() instanceof Error);
    const w = await h.getWorker();
    assert.deepEqual(w.status?.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
    assert.match(
      w.status?.lastError?.description ?? "",
      /spec\.pools\[1\]\.updateStrategy: Unsupported value: "ManualInPlaceUpdate": worker pool pool-b: in-place updates are not supported/,
    );
    assert.deepEqual(await h.names(MachineV1alpha1.machineDeployments), []);
    assert.deepEqual(await h.names(MachineV1alpha1.machineClasses), []);
    assert.deepEqual(await h.classSecretNames(), []);
  } finally {
    await h.close();
  }
});

Deno.test("hibernation without an MCM Deployment (playground) succeeds; a hibernated, settled Worker resyncs without writes", async () => {
  const h = await WorkerHarness.start({ hibernated: true });
  try {
    await h.createWorker();
    await h.annotate();
    assert.equal(await h.reconcile(), undefined, "no machines to wait for, no MCM to scale");
    assert.deepEqual(readinessProblems(await h.getWorker()), []);
    assert.deepEqual(
      (await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments)).map((d) => d.spec.replicas),
      [0, 0, 0],
    );
    h.resetCounters();
    await h.clock.advance(30_000);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(h.writes(), 0);
  } finally {
    await h.close();
  }
});
