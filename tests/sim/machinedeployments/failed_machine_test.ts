/** Failed machines: reported in failedMachines, deleted with MCM's immediate Terminating status, replaced. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { ANNOTATION_PRESERVE } from "../../../src/apis/machine/v1alpha1.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { deployment, Harness, NS } from "./harness.ts";

const FAILED_OP = {
  type: "HealthCheck",
  state: "Failed",
  description: "Machine pool-a health checks failing since last 10 minutes. Updating machine phase to Failed.",
  errorCode: "Unavailable",
};

Deno.test("a Failed machine is reported, marked Terminating at once, deleted and replaced", async () => {
  const h = await Harness.start({ holdDeletions: true });
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const set = h.setsOf("pool-a")[0];
    const victim = h.machines.list(NS)[0].metadata.name!;
    await h.test.patch(
      MachineV1alpha1.machines,
      victim,
      { spec: { providerID: "equinixmetal://ny5/dev-1" } },
      "merge",
      {
        namespace: NS,
      },
    );
    await h.setPhase(victim, "Failed", FAILED_OP);

    // The set deletes it and writes phase Terminating itself, before any machine controller acts.
    const terminating = await h.until(() => {
      const m = h.machines.get(`${NS}/${victim}`);
      return m?.metadata.deletionTimestamp && m.status?.currentStatus?.phase === "Terminating" ? m : undefined;
    }, "failed machine terminating");
    assertEquals(
      [
        terminating.status?.lastOperation?.description,
        terminating.status?.lastOperation?.state,
        terminating.status?.lastOperation?.type,
        terminating.status?.lastOperation?.errorCode,
        terminating.status?.currentStatus?.timeoutActive,
      ],
      ["Deleting machine from cloud provider", "Processing", "Delete", undefined, false],
    );

    // A replacement comes up while the failed machine is still being deleted.
    await h.until(
      () =>
        h.machines.list(NS).filter((m) => !m.metadata.deletionTimestamp && m.status?.currentStatus?.phase === "Running")
          .length === 2,
      "replacement running",
    );
    const failedReported = await h.until(() => h.deploymentOf("pool-a")?.status?.failedMachines, "failedMachines");
    assertEquals(failedReported.length, 1);
    assertEquals(failedReported[0].name, victim);
    assertEquals(failedReported[0].providerID, "equinixmetal://ny5/dev-1");
    assertEquals(failedReported[0].ownerRef, set.metadata.name);
    assertEquals(failedReported[0].lastOperation?.state, "Failed");
    assertEquals(failedReported[0].lastOperation?.errorCode, "Unavailable");
    assertEquals(h.sets.get(`${NS}/${set.metadata.name}`)?.status?.failedMachines?.[0].name, victim);
    // The Terminating machine still counts in `replicas`, not in ready/available.
    await h.until(() => {
      const s = h.deploymentOf("pool-a")?.status;
      return s?.replicas === 3 && s.readyReplicas === 2 && s.availableReplicas === 2 && s.unavailableReplicas === 0;
    }, "status 3 machines, 2 ready");
    assertEquals(h.deploymentOf("pool-a")?.status?.failedMachines?.[0].name, victim, "still reported");

    // Once it is gone and the set is whole again, MCM stops reporting it.
    await h.releaseDeleted();
    await h.until(() => h.converged("pool-a", 2) && !h.deploymentOf("pool-a")?.status?.failedMachines, "cleared");
    ok(!h.machines.get(`${NS}/${victim}`), "the failed machine is gone");
    assertEquals(h.sim.stats.machinesCreated, 3, "exactly one replacement");
  } finally {
    await h.close();
  }
});

Deno.test("a preserved Failed machine is kept and keeps being reported", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const victim = h.machines.list(NS)[0].metadata.name!;
    await h.test.patch(
      MachineV1alpha1.machines,
      victim,
      {
        metadata: { annotations: { [ANNOTATION_PRESERVE]: "when-failed" } },
      },
      "merge",
      { namespace: NS },
    );
    await h.setPhase(victim, "Failed", FAILED_OP);
    await h.until(() => h.deploymentOf("pool-a")?.status?.failedMachines?.length === 1, "reported");
    await h.idle(5_000);
    const m = h.machines.get(`${NS}/${victim}`);
    ok(m && !m.metadata.deletionTimestamp, "not deleted");
    assertEquals(h.machines.list(NS).length, 2, "not replaced (it still counts as one of the replicas)");
    assertEquals(h.deploymentOf("pool-a")?.status?.availableReplicas, 1);
  } finally {
    await h.close();
  }
});
