/**
 * Auto-preservation of Failed machines (MCM's MachineSet with `autoPreserveFailedMachineMax`): annotated up to the
 * maximum and kept, counted in `preservedFailedReplicas` once the machine controller set the expiry (tolerated by the
 * Available condition), deleted and replaced after the expiry, released when the maximum is lowered.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { ANNOTATION_PRESERVE, type Machine } from "../../../src/apis/machine/v1alpha1.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { planAutoPreservation } from "../../../src/sim/machinedeployments/machineset_preservation.ts";
import { pickForDeletion } from "../../../src/sim/machinedeployments/machine_ranking.ts";
import { deployment, Harness, NS } from "./harness.ts";

const HOUR = 3_600_000;
const FAILED_OP = { type: "HealthCheck", state: "Failed", description: "Machine failed its health checks" };

function ts(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function preserveValue(h: Harness, name: string): string | undefined {
  return h.machines.get(`${NS}/${name}`)?.metadata.annotations?.[ANNOTATION_PRESERVE];
}

/** Plays the provider's machine controller: preserves the machine until `expiry`, or releases it. */
async function setExpiry(h: Harness, name: string, expiry: number): Promise<void> {
  await h.test.patch(
    MachineV1alpha1.machines,
    name,
    { status: { currentStatus: { preserveExpiryTime: ts(expiry) } } },
    "merge",
    { namespace: NS, subresource: "status" },
  );
}

Deno.test("auto-preservation: up to autoPreserveFailedMachineMax Failed machines are annotated and kept, the others replaced; counted in the status", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 3, autoPreserveFailedMachineMax: 1 }));
    await h.until(() => h.converged("pool-a", 3), "3 machines");
    const set = h.setsOf("pool-a")[0];
    assertEquals(set.spec?.autoPreserveFailedMachineMax, 1, "copied from the deployment");
    const [first, second] = h.machines.list(NS).map((m) => m.metadata.name!);

    await h.setPhase(first, "Failed", FAILED_OP);
    await h.until(() => preserveValue(h, first) === "auto-preserved", "first auto-preserved");
    await h.until(
      () => h.sets.get(`${NS}/${set.metadata.name}`)?.status?.autoPreserveFailedMachineCount === 1,
      "count reported",
    );

    // The maximum is reached: the next Failed machine is replaced.
    await h.setPhase(second, "Failed", FAILED_OP);
    await h.until(() => !h.machines.get(`${NS}/${second}`), "second deleted");
    ok(h.machines.get(`${NS}/${first}`) && !h.machines.get(`${NS}/${first}`)?.metadata.deletionTimestamp, "kept");
    await h.until(
      () => h.machines.list(NS).filter((m) => m.status?.currentStatus?.phase === "Running").length === 2,
      "replacement Running",
    );

    // The machine controller preserves it: counted apart, no longer among failedMachines, and tolerated by the
    // Available condition (3 wanted, maxUnavailable 0, 2 available + 1 preserved Failed).
    const expiry = h.clock.now() + HOUR;
    await setExpiry(h, first, expiry);
    const md = await h.until(() => {
      const d = h.deploymentOf("pool-a");
      return d?.status?.preservedFailedReplicas === 1 && !d.status.failedMachines ? d : undefined;
    }, "deployment reports the preserved machine");
    assertEquals(h.sets.get(`${NS}/${set.metadata.name}`)?.status?.preservedFailedReplicas, 1);
    assertEquals(md.status?.availableReplicas, 2);
    assertEquals(md.status?.conditions?.find((c) => c.type === "Available")?.status, "True");

    // Expiry: the set deletes the machine (at the latest at its resync) instead of auto-preserving it again, and
    // replaces it.
    // Measured from the expiry itself: the waits above let fake time pass too, more of it on a loaded machine.
    await h.idle(expiry - 60_000 - h.clock.now(), 60_000);
    ok(h.machines.get(`${NS}/${first}`), "kept until the expiry");
    await h.until(() => !h.machines.get(`${NS}/${first}`), "expired machine deleted", 5_000);
    await h.until(() => h.converged("pool-a", 3), "whole again");
    // The set's status follows its machines in a later sync than the one that replaced the machine.
    await h.until(() => {
      const status = h.sets.get(`${NS}/${set.metadata.name}`)?.status;
      return status && status.preservedFailedReplicas === undefined &&
        status.autoPreserveFailedMachineCount === undefined;
    }, "preserved counts gone from the set's status");
    assertEquals(h.sim.stats.machinesCreated, 5, "one replacement each");
  } finally {
    await h.close();
  }
});

Deno.test("auto-preservation: lowering the maximum releases the oldest auto-preserved machine, which is then replaced", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2, autoPreserveFailedMachineMax: 1 }));
    await h.until(() => h.converged("pool-a", 2), "2 machines");
    const victim = h.machines.list(NS)[0].metadata.name!;
    await h.setPhase(victim, "Failed", FAILED_OP);
    await h.until(() => preserveValue(h, victim) === "auto-preserved", "auto-preserved");
    await h.idle(5_000);
    ok(h.machines.get(`${NS}/${victim}`), "kept while preserved");

    await h.updateDeployment("pool-a", (md) => delete md.spec.autoPreserveFailedMachineMax);
    await h.until(() => !h.machines.get(`${NS}/${victim}`), "released and deleted");
    await h.until(() => h.converged("pool-a", 2), "replaced");
  } finally {
    await h.close();
  }
});

Deno.test("planAutoPreservation: newest Failed machines without a preserve value first; false and user values are left alone", () => {
  const failed = (name: string, ageH: number, value?: string): Machine => ({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: ts(Date.UTC(2026, 0, 1) - ageH * HOUR),
      annotations: value ? { [ANNOTATION_PRESERVE]: value } : {},
    },
    spec: {},
    status: { currentStatus: { phase: "Failed" } },
  });
  const machines = [failed("old", 5), failed("new", 1), failed("mid", 3), failed("no", 0, "false")];
  const plan = planAutoPreservation({ spec: { autoPreserveFailedMachineMax: 2 }, metadata: {} }, machines);
  assertEquals(plan.annotate.map((m) => m.metadata.name), ["new", "mid"]);
  const lowered = planAutoPreservation(
    { spec: { autoPreserveFailedMachineMax: 0 }, status: { autoPreserveFailedMachineCount: 1 }, metadata: {} },
    [failed("a", 2, "auto-preserved"), failed("b", 4, "auto-preserved"), failed("c", 6, "when-failed")],
  );
  assertEquals(lowered.release.map((m) => m.metadata.name), ["b"]);
});

Deno.test("pickForDeletion: machines preserved now go last (auto-preserved, then earlier expiry, first among them)", () => {
  const now = Date.UTC(2026, 0, 1);
  const m = (name: string, phase: string, expiryInH?: number, value?: string): Machine => ({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: ts(now - HOUR),
      annotations: value ? { [ANNOTATION_PRESERVE]: value } : {},
    },
    spec: {},
    status: {
      currentStatus: {
        phase,
        ...(expiryInH === undefined ? {} : { preserveExpiryTime: ts(now + expiryInH * HOUR) }),
      },
    },
  });
  const machines = [
    m("user-late", "Failed", 5, "when-failed"),
    m("auto", "Failed", 9, "auto-preserved"),
    m("user-early", "Running", 2, "now"),
    m("running", "Running"),
    m("expired", "Failed", -1, "when-failed"),
  ];
  assertEquals(pickForDeletion(machines, 5, now).map((x) => x.metadata.name), [
    "expired",
    "running",
    "auto",
    "user-early",
    "user-late",
  ]);
});
