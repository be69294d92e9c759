/**
 * Deletion (with MCM's secret finalizer waits), force deletion, migration, restore from a gzipped machine state and
 * the adoption of MachineDeployments created by the Go provider, through the generic reconciler on the fake API
 * server.
 */
import assert from "node:assert/strict";
import { AppsV1, CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Machine, MachineDeployment, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { encodeMachineState } from "../../../src/extension/genericworker/machine_state.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { mcmDeployment, WorkerHarness } from "./harness.ts";
import { NS, pool, workerObject } from "./fixtures.ts";

const Z = (pool: string, n: number) => `${NS}-${pool}-z${n}`;

Deno.test("delete: classes redeployed, waits for MCM to hold the secret, force-deletion labels, deletes, waits for the machines and the secret's release", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    await h.mcm.holdCredentials(false); // as if MCM had not picked the secret up yet
    // Someone removed a class: the deletion redeploys it so MCM can still delete that deployment's machines.
    const classes = await h.names(MachineV1alpha1.machineClasses);
    await h.mcm.deleteNow(
      MachineV1alpha1.machineClasses,
      await h.client.get(MachineV1alpha1.machineClasses, classes[0], { namespace: NS }),
    );
    await h.deleteWorker();

    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    let w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Delete");
    assert.match(w.status?.lastOperation?.description ?? "", /credentials secret has been acquired/);
    assert.deepEqual(await h.names(MachineV1alpha1.machineClasses), classes, "redeployed");
    assert.equal(
      (await h.list<KubeObject>(MachineV1alpha1.machineDeployments)).filter((d) => d.metadata.deletionTimestamp).length,
      0,
      "nothing is deleted before MCM holds the credentials",
    );

    await h.mcm.addFinalizers(); // MCM sees the classes and takes the secret
    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    for (const m of await h.list<Machine>(MachineV1alpha1.machines)) {
      assert.equal(m.metadata.labels?.["force-deletion"], "True");
    }
    for (const d of await h.list<KubeObject>(MachineV1alpha1.machineDeployments)) {
      assert.ok(d.metadata.deletionTimestamp);
    }
    for (const c of await h.list<KubeObject>(MachineV1alpha1.machineClasses)) assert.ok(c.metadata.deletionTimestamp);

    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "machines still there");
    w = await h.getWorker();
    assert.match(
      w.status?.lastOperation?.description ?? "",
      /Waiting until the following machine resources have been deleted: 3 machines, 3 machine sets, 3 machine deployments, 3 machine classes, 3 machine class secrets/,
    );

    await h.mcm.processDeletions();
    await h.mcm.holdCredentials(true); // still held: the release is what the last step waits for
    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    assert.match(
      (await h.getWorker()).status?.lastOperation?.description ?? "",
      /credentials secret has been released/,
    );
    assert.deepEqual(await h.names(MachineV1alpha1.machines), []);
    assert.deepEqual(await h.classSecretNames(), []);

    await h.mcm.holdCredentials(false);
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.workerExists(), false, "finalizer removed, Worker gone");
  } finally {
    await h.close();
  }
});

Deno.test("force delete does not block and touches no machine object", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    await h.updateCluster({ forceDelete: true });
    await h.deleteWorker();
    h.resetCounters();
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.workerExists(), false);
    const writes = Object.keys(h.api.counters.snapshot().byVerbResource).filter((k) =>
      /^(create|patch|update|delete)/.test(k)
    );
    assert.deepEqual(writes.sort(), ["patch workers", "patch workers/status"]);
    assert.equal((await h.names(MachineV1alpha1.machineDeployments)).length, 3);
  } finally {
    await h.close();
  }
});

Deno.test("migrate writes nothing but the Worker's operation status (no status.state, machine objects untouched)", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    await h.annotate("migrate");
    h.resetCounters();
    await h.reconcile();
    const writes = Object.keys(h.api.counters.snapshot().byVerbResource).filter((k) =>
      /^(create|patch|update|delete)/.test(k)
    );
    assert.deepEqual(writes.sort(), ["patch workers", "patch workers/status"]);
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Migrate");
    assert.equal(w.status?.lastOperation?.state, "Succeeded");
    assert.equal(w.status?.state, undefined);
  } finally {
    await h.close();
  }
});

Deno.test("restore: MachineSets and Machines from the gzipped state, deployments with the recorded replicas, MCM scaled to 1, then reconciled", async () => {
  const h = await WorkerHarness.start();
  try {
    await h.client.create(AppsV1.deployments, mcmDeployment(0));
    const set = (md: string): MachineSet => ({
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineSet",
      metadata: { name: `${md}-5f7d8`, namespace: "shoot--old--seed-ns", labels: { name: md } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { name: md } },
        template: { spec: { class: { kind: "MachineClass", name: `${md}-old` } } },
      },
    });
    const machine = (md: string, i: number): Machine => ({
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "Machine",
      metadata: { name: `${md}-5f7d8-${i}`, namespace: "shoot--old--seed-ns", labels: { name: md, node: `n${i}` } },
      spec: { class: { kind: "MachineClass", name: `${md}-old` }, providerID: `equinixmetal://ny/device-${i}` },
    });
    const state = encodeMachineState({
      [Z("pool-b", 1)]: {
        replicas: 2,
        machineSets: [set(Z("pool-b", 1))],
        machines: [machine(Z("pool-b", 1), 0), machine(Z("pool-b", 1), 1)],
      },
      "shoot--dev--eqx-gone-z1": { replicas: 1, machineSets: [set("shoot--dev--eqx-gone-z1")], machines: [] },
    });
    await h.createWorker();
    await h.patchWorkerStatus({ state });
    await h.annotate("restore");
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });

    assert.deepEqual(
      await h.names(MachineV1alpha1.machineSets),
      [`${Z("pool-b", 1)}-5f7d8`],
      "only sets of wanted deployments",
    );
    const machines = await h.list<Machine>(MachineV1alpha1.machines);
    assert.deepEqual(machines.map((m) => [m.metadata.name, m.metadata.namespace, m.spec.providerID]), [
      [`${Z("pool-b", 1)}-5f7d8-0`, NS, "equinixmetal://ny/device-0"],
      [`${Z("pool-b", 1)}-5f7d8-1`, NS, "equinixmetal://ny/device-1"],
    ]);
    for (const m of machines) assertValidAgainstCrd(m);
    const mds = await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments);
    assert.deepEqual(mds.map((d) => [d.metadata.name, d.spec.replicas]), [
      [Z("pool-a", 1), 1],
      [Z("pool-b", 1), 2],
      [Z("pool-b", 2), 1],
    ]);
    const mcm = await h.client.get<KubeObject & { spec: { replicas: number } }>(
      AppsV1.deployments,
      "machine-controller-manager",
      {
        namespace: NS,
      },
    );
    assert.equal(mcm.spec.replicas, 1);
    const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);
    assert.ok(rv(mcm) > Math.max(...mds.map(rv)), "MCM is scaled up only once every MachineDeployment is written");

    // A retried restore does not resurrect machines MCM removed meanwhile.
    await h.mcm.deleteNow(MachineV1alpha1.machines, machines[1]);
    await h.clock.advance(5000);
    await h.reconcile();
    assert.equal((await h.names(MachineV1alpha1.machines)).length, 1);

    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Restore");
    assert.equal(w.status?.lastOperation?.state, "Succeeded");
    assert.equal(w.metadata.annotations?.["gardener.cloud/operation"], undefined);
  } finally {
    await h.close();
  }
});

Deno.test("adoption: the Go provider's <namespace>-<pool> deployment keeps serving the pool's first zone (a rolling class update)", async () => {
  const h = await WorkerHarness.start();
  try {
    const legacy = `${NS}-pool-b`;
    const oldClass = `${legacy}-3c9d1`;
    // What the Go provider left: one deployment per pool, empty pool label, its class and class secret.
    await h.client.create<MachineDeployment>(MachineV1alpha1.machineDeployments, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineDeployment",
      metadata: { name: legacy, namespace: NS, labels: { "worker.gardener.cloud/pool": "" } },
      spec: {
        replicas: 3,
        minReadySeconds: 500,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: { name: legacy } },
        template: { metadata: { labels: { name: legacy } }, spec: { class: { kind: "MachineClass", name: oldClass } } },
      },
    });
    await h.client.create(MachineV1alpha1.machineClasses, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineClass",
      metadata: { name: oldClass, namespace: NS },
      provider: "EquinixMetal",
      providerSpec: { projectID: "p", metro: "ny", machineType: "m3.small.x86", OS: "flatcar_stable" },
    } as KubeObject);
    await h.client.create(CoreV1.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: oldClass, namespace: NS, labels: { "gardener.cloud/purpose": "machineclass" } },
      data: { userData: "b2xk" },
    } as KubeObject);
    await h.mcm.settle(legacy);

    await h.createWorker(workerObject([
      pool("pool-a", "c3.small.x86", ["ny5"]),
      pool("pool-b", "m3.small.x86", ["ny5", "ny7"], { minimum: 2, maximum: 4 }),
    ]));
    await h.annotate();
    await h.reconcile();
    assert.deepEqual(await h.names(MachineV1alpha1.machineDeployments), [Z("pool-a", 1), legacy, Z("pool-b", 2)]);
    const md = await h.client.get<MachineDeployment>(MachineV1alpha1.machineDeployments, legacy, { namespace: NS });
    assert.equal(md.metadata.labels?.["worker.gardener.cloud/pool"], "pool-b");
    assert.match(md.spec.template.spec?.class?.name ?? "", new RegExp(`^${legacy}-[0-9a-f]{5}$`));
    assert.notEqual(md.spec.template.spec?.class?.name, oldClass);
    assert.equal(md.spec.replicas, 2, "clamped to the zone's maximum, not recreated");
    assert.equal(
      md.metadata.uid,
      (await h.client.get(MachineV1alpha1.machineDeployments, legacy, { namespace: NS })).metadata.uid,
    );

    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.ok(
      !(await h.names(MachineV1alpha1.machineClasses)).includes(oldClass),
      "the Go provider's class is cleaned up",
    );
    assert.ok(!(await h.classSecretNames()).includes(oldClass));
    assert.deepEqual((await h.getWorker()).status?.machineDeployments?.map((d) => d.name), [
      Z("pool-a", 1),
      legacy,
      Z("pool-b", 2),
    ]);
  } finally {
    await h.close();
  }
});

/** A machine state with one MachineSet of `machines` Machines for the deployment `md`. */
function stateWithMachines(md: string, machines: number): ReturnType<typeof encodeMachineState> {
  return encodeMachineState({
    [md]: {
      replicas: machines,
      machineSets: [{
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "MachineSet",
        metadata: { name: `${md}-5f7d8`, namespace: "shoot--old--seed-ns", labels: { name: md } },
        spec: {
          replicas: machines,
          selector: { matchLabels: { name: md } },
          template: { spec: { class: { kind: "MachineClass", name: `${md}-old` } } },
        },
      }],
      machines: Array.from({ length: machines }, (_, i): Machine => ({
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "Machine",
        metadata: { name: `${md}-5f7d8-${i}`, namespace: "shoot--old--seed-ns", labels: { name: md, node: `n${i}` } },
        spec: { class: { kind: "MachineClass", name: `${md}-old` }, providerID: `equinixmetal://ny/device-${i}` },
      })),
    },
  });
}

async function mcmReplicas(h: WorkerHarness): Promise<number> {
  const mcm = await h.client.get<KubeObject & { spec: { replicas: number } }>(
    AppsV1.deployments,
    "machine-controller-manager",
    { namespace: NS },
  );
  return mcm.spec.replicas;
}

Deno.test("restore while hibernated, nothing awake in the state: deployments at 0, MCM stays at 0, Succeeded", async () => {
  const h = await WorkerHarness.start({ hibernated: true });
  try {
    await h.client.create(AppsV1.deployments, mcmDeployment(0));
    await h.createWorker();
    await h.patchWorkerStatus({ state: stateWithMachines(Z("pool-b", 1), 0) });
    await h.annotate("restore");
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await mcmReplicas(h), 0);
    assert.deepEqual(
      (await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments)).map((d) => d.spec.replicas),
      [0, 0, 0],
    );
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Restore");
    assert.equal(w.status?.lastOperation?.state, "Succeeded");
  } finally {
    await h.close();
  }
});

Deno.test("restore while hibernated with machines in the state: MCM runs to delete them, the Worker waits until they are gone, then MCM goes back to 0", async () => {
  const h = await WorkerHarness.start({ hibernated: true });
  try {
    await h.client.create(AppsV1.deployments, mcmDeployment(0));
    await h.createWorker();
    await h.patchWorkerStatus({ state: stateWithMachines(Z("pool-b", 1), 2) });
    await h.annotate("restore");
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "the restored machines' devices still run");
    assert.equal(await mcmReplicas(h), 1, "only MCM can delete them");
    const machines = await h.list<Machine>(MachineV1alpha1.machines);
    assert.equal(machines.length, 2);
    for (const m of machines) assert.equal(m.metadata.labels?.["force-deletion"], "True");
    assert.deepEqual(
      (await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments)).map((d) => d.spec.replicas),
      [0, 0, 0],
    );
    assert.match((await h.getWorker()).status?.lastOperation?.description ?? "", /hibernated \(2 still awake\)/);

    // MCM adopts the restored machines (by selector) and deletes them, the deployments report 0 replicas.
    for (const m of machines) await h.mcm.deleteNow(MachineV1alpha1.machines, m);
    await h.mcm.settleAll();
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.deepEqual(await h.names(MachineV1alpha1.machines), []);
    assert.equal(await mcmReplicas(h), 0, "hibernated again");
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Restore");
    assert.equal(w.status?.lastOperation?.state, "Succeeded");
  } finally {
    await h.close();
  }
});
