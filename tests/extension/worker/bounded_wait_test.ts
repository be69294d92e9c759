/**
 * Bounded waits through the generic reconciler on the fake API server: a rollout or a deletion that does not finish
 * within 5 minutes fails with the machines' reasons in lastError (and the retry waits again), and a stuck
 * machine-controller-manager gets its pods deleted, as Gardener's generic Worker actuator does.
 */
import assert from "node:assert/strict";
import { CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Machine, MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { WorkerHarness } from "./harness.ts";
import { NS } from "./fixtures.ts";

const FIVE_MINUTES = 5 * 60_000;
const Z = (pool: string, n: number) => `${NS}-${pool}-z${n}`;

function pod(name: string, role: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { role } },
    spec: { containers: [{ name: "c", image: "i:1" }] },
  } as KubeObject;
}

/** MCM reports every machine Running (the test harness's MCM writes no machine status). */
async function allRunning(h: WorkerHarness): Promise<void> {
  for (const m of await h.list<Machine>(MachineV1alpha1.machines)) {
    await h.client.patch(
      MachineV1alpha1.machines,
      m.metadata.name!,
      {
        status: { currentStatus: { phase: "Running" } },
      },
      "merge",
      { namespace: NS, subresource: "status" },
    );
  }
}

async function podNames(h: WorkerHarness): Promise<string[]> {
  const pods = (await h.client.list(CoreV1.pods, { namespace: NS })).items;
  return pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name ?? "").sort();
}

Deno.test("a rollout that does not finish within 5 minutes fails with the machines' phase and reason in lastError; the retry waits again", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.client.create(CoreV1.pods, pod("machine-controller-manager-0", "machine-controller-manager"));
    await h.createWorker();
    await h.annotate();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    await h.mcm.addFinalizers();
    await h.mcm.settleAll();
    await allRunning(h);
    // One machine of pool-b z2 cannot get a device: MCM keeps it in CrashLoopBackOff, the deployment unavailable.
    const [stuck] = await h.mcm.machinesOf(
      (await h.list<KubeObject>(MachineV1alpha1.machineSets)).find((s) => s.metadata.name!.startsWith(Z("pool-b", 2)))!
        .metadata.name!,
    );
    await h.client.patch(
      MachineV1alpha1.machines,
      stuck.metadata.name!,
      {
        status: {
          currentStatus: { phase: "CrashLoopBackOff" },
          lastOperation: {
            description: "Cloud provider message - no capacity for m3.small.x86 in ny7",
            errorCode: "ResourceExhausted",
            state: "Failed",
            type: "Create",
          },
        },
      },
      "merge",
      { namespace: NS, subresource: "status" },
    );
    await h.client.patch(
      MachineV1alpha1.machineDeployments,
      Z("pool-b", 2),
      {
        status: { availableReplicas: 0, unavailableReplicas: 1, readyReplicas: 0 },
      },
      "merge",
      { namespace: NS, subresource: "status" },
    );

    await h.clock.advance(FIVE_MINUTES - 5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "still within the 5 minutes");
    assert.equal((await h.getWorker()).status?.lastError, undefined);

    await h.clock.advance(5000);
    const err = await h.reconcileCatching();
    assert.ok(err instanceof Error);
    const w = await h.getWorker();
    assertValidAgainstCrd(w);
    assert.equal(w.status?.lastOperation?.state, "Error");
    assert.match(
      w.status?.lastError?.description ?? "",
      new RegExp(
        "failed while waiting for all machine deployments to be ready: Waiting until machines are available " +
          `\\(2/3 desired.*\\)\\.\\.\\.; machines: "${stuck.metadata.name}" \\(CrashLoopBackOff\\): Cloud provider message - ` +
          "no capacity for m3.small.x86 in ny7$",
      ),
    );
    assert.deepEqual(w.status?.lastError?.codes, ["ERR_INFRA_RESOURCES_DEPLETED"]);
    assert.deepEqual(
      await podNames(h),
      ["machine-controller-manager-0"],
      "MCM made every machine set: not stuck, its pod stays",
    );

    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "the retry starts a new 5-minute window");
  } finally {
    await h.close();
  }
});

Deno.test("a stuck machine-controller-manager (deployments taken for 2+ minutes, no machine set): its pods are deleted when the wait runs out", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.client.create(CoreV1.pods, pod("machine-controller-manager-0", "machine-controller-manager"));
    await h.client.create(CoreV1.pods, pod("kube-apiserver-0", "apiserver"));
    await h.createWorker();
    await h.annotate();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    await h.mcm.addFinalizers(); // MCM took the deployments but never makes their machine sets

    await h.clock.advance(FIVE_MINUTES);
    assert.ok(await h.reconcileCatching() instanceof Error);
    const w = await h.getWorker();
    assert.match(
      w.status?.lastError?.description ?? "",
      new RegExp(
        "failed while waiting for all machine deployments to be ready: Waiting for the machine-controller-manager to " +
          `create the updated machine set .*machine-controller-manager looked stuck, missing machine set for machine ` +
          `deployment \\(${NS}/${Z("pool-a", 1)}\\): deleted 1 pod\\(s\\) of it`,
      ),
    );
    assert.deepEqual(await podNames(h), ["kube-apiserver-0"], "only MCM's pods are deleted");
    for (const md of await h.list<MachineDeployment>(MachineV1alpha1.machineDeployments)) {
      assert.equal(md.metadata.deletionTimestamp, undefined, "nothing else is touched");
    }
  } finally {
    await h.close();
  }
});

Deno.test("a deletion that does not finish within 5 minutes fails naming the machines still there; the retry waits again", async () => {
  const h = await WorkerHarness.start({ mcmDeployment: true });
  try {
    await h.readyWorker();
    const machines = (await h.list<Machine>(MachineV1alpha1.machines)).map((m) => m.metadata.name);
    await h.deleteWorker();
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "deletes, then waits for MCM");

    await h.clock.advance(FIVE_MINUTES);
    assert.ok(await h.reconcileCatching() instanceof Error);
    const w = await h.getWorker();
    assert.equal(w.status?.lastOperation?.type, "Delete");
    assert.equal(w.status?.lastOperation?.state, "Error");
    assert.match(
      w.status?.lastError?.description ?? "",
      new RegExp(
        "failed while waiting for all machine resources to be deleted: still there: 3 machines, .*; machines: " +
          machines.map((m) => `"${m}" \\(no phase yet\\)`).join("; ") + "$",
      ),
    );

    await h.clock.advance(5000);
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 }, "the retry starts a new 5-minute window");
    await h.mcm.processDeletions();
    await h.mcm.holdCredentials(false);
    await h.clock.advance(5000);
    assert.equal(await h.reconcile(), undefined);
    assert.equal(await h.workerExists(), false);
  } finally {
    await h.close();
  }
});
