/** Deleting a MachineDeployment: sets, then machines, then finalizers, nothing left behind. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { MCM_FINALIZER } from "../../../src/apis/machine/v1alpha1.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { deployment, Harness, NS } from "./harness.ts";

Deno.test("deleting a deployment cascades to its machine sets and machines, then releases the finalizers", async () => {
  const h = await Harness.start({ holdDeletions: true });
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 3 }));
    await h.createDeployment(deployment("pool-b", { replicas: 1 }));
    await h.until(
      () =>
        h.deploymentOf("pool-a")?.status?.availableReplicas === 3 &&
        h.deploymentOf("pool-b")?.status?.availableReplicas === 1,
      "4 machines",
    );
    const setA = h.setsOf("pool-a")[0].metadata.name!;

    await h.test.delete(MachineV1alpha1.machineDeployments, "pool-a", { namespace: NS });
    // The set is deleted, then every machine, each marked Terminating by the set.
    await h.until(
      () =>
        h.machinesOfSet(setA).every((m) =>
          m.metadata.deletionTimestamp && m.status?.currentStatus?.phase === "Terminating"
        ) && h.machinesOfSet(setA).length === 3,
      "machines terminating",
    );
    ok(h.sets.get(`${NS}/${setA}`)?.metadata.deletionTimestamp, "the set is being deleted");
    assertEquals(h.sets.get(`${NS}/${setA}`)?.metadata.finalizers, [MCM_FINALIZER], "held by its finalizer");
    ok(h.deploymentOf("pool-a")?.metadata.deletionTimestamp, "the deployment is waiting");

    await h.releaseDeleted();
    await h.until(() => !h.deploymentOf("pool-a") && !h.sets.get(`${NS}/${setA}`), "deployment and set gone");
    assertEquals(h.machinesOfSet(setA), []);
    assertEquals(h.machines.list(NS).length, 1, "the other deployment's machine is untouched");
    assertEquals(h.setsOf("pool-b").length, 1);
    const left = await h.test.listAll(MachineV1alpha1.machineSets, { namespace: NS });
    assertEquals(left.items.map((s) => s.metadata.name), [h.setsOf("pool-b")[0].metadata.name]);
  } finally {
    await h.close();
  }
});

Deno.test("a machine set deleted directly deletes its machines; the deployment creates a new one", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const first = h.setsOf("pool-a")[0];
    const oldMachines = new Set(h.machines.list(NS).map((m) => m.metadata.name));
    await h.test.delete(MachineV1alpha1.machineSets, first.metadata.name!, { namespace: NS });
    await h.until(() => {
      const sets = h.setsOf("pool-a");
      return sets.length === 1 && sets[0].metadata.uid !== first.metadata.uid && h.converged("pool-a", 2);
    }, "set recreated with the same name");
    ok(h.machines.list(NS).every((m) => !oldMachines.has(m.metadata.name)), "all machines are new");
  } finally {
    await h.close();
  }
});
