/** A converged landscape makes no API writes at all, across MCM's 10-minute resyncs; restarts and faults. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { deployment, Harness, NS } from "./harness.ts";

Deno.test("steady state makes zero API writes, also across resyncs and with a progress deadline", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 3 }));
    await h.createDeployment(deployment("pool-b", { replicas: 2, progressDeadlineSeconds: 600 }));
    await h.until(
      () =>
        h.deploymentOf("pool-a")?.status?.availableReplicas === 3 &&
        h.deploymentOf("pool-b")?.status?.conditions?.some((c) =>
          c.type === "Progressing" && c.reason === "NewMachineSetAvailable"
        ),
      "both deployments complete",
    );
    await h.idle(2_000, 200); // let the last status writes land
    h.api.counters.reset();
    const before = h.sim.stats.writes;
    await h.idle(25 * 60_000, 30_000); // two and a half resync periods
    assertEquals(h.api.counters.writes(), 0, JSON.stringify(h.api.counters.snapshot().byVerbResource));
    assertEquals(h.sim.stats.writes, before);
    const progressing = h.deploymentOf("pool-b")?.status?.conditions?.find((c) => c.type === "Progressing");
    assertEquals([progressing?.status, progressing?.reason], ["True", "NewMachineSetAvailable"]);
  } finally {
    await h.close();
  }
});

Deno.test("Progressing turns False with ProgressDeadlineExceeded when machines never come up", async () => {
  const h = await Harness.start({ phasePolicy: () => "Pending" });
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2, progressDeadlineSeconds: 600 }));
    await h.until(() => h.deploymentOf("pool-a")?.status?.replicas === 2, "2 pending machines");
    const progressing = () => h.deploymentOf("pool-a")?.status?.conditions?.find((c) => c.type === "Progressing");
    assertEquals(progressing()?.status, "True");
    await h.idle(11 * 60_000, 30_000);
    await h.until(() => progressing()?.reason === "ProgressDeadlineExceeded", "deadline exceeded");
    assertEquals(progressing()?.status, "False");
    assertEquals(
      progressing()?.message,
      `MachineSet "${h.setsOf("pool-a")[0].metadata.name}" has timed out progressing.`,
    );
  } finally {
    await h.close();
  }
});

Deno.test("a restart in the middle of a rollout converges without duplicate machines", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 6 }));
    await h.until(() => h.converged("pool-a", 6), "6 machines");
    await h.updateDeployment("pool-a", (md) => (md.spec.template.spec!.class!.name = "pool-a-class-b"));
    await h.until(() => h.setsOf("pool-a").length === 2, "rollout started");
    await h.restartSimulation();
    await h.until(() => h.converged("pool-a", 6) && h.setsOf("pool-a").length === 1, "rollout finished");
    assertEquals(h.machines.list(NS).filter((m) => m.spec.class?.name === "pool-a-class-b").length, 6);
  } finally {
    await h.close();
  }
});

Deno.test("API faults (500s on creates, conflicts on patches) end in exactly the desired machines", async () => {
  const h = await Harness.start();
  const logs = captureLogs();
  try {
    h.api.faults.seed(7);
    h.api.faults.add({ verb: "create", resource: "machines", status: 500, probability: 0.3 });
    h.api.faults.add({ verb: "patch", resource: "machinesets", status: 409, probability: 0.3 });
    h.api.faults.add({ verb: "patch", resource: "machinedeployments/status", status: 500, probability: 0.3 });
    await h.createDeployment(deployment("pool-a", { replicas: 8 }));
    await h.until(() => h.converged("pool-a", 8), "8 machines");
    await h.updateDeployment("pool-a", (md) => (md.spec.replicas = 12));
    await h.until(() => h.converged("pool-a", 12), "12 machines");
    h.api.faults.clear();
    await h.idle(5_000, 500);
    const all = await h.test.listAll(MachineV1alpha1.machines, { namespace: NS });
    assertEquals(all.items.length, 12, "no duplicate machines");
    ok(logs.lines.some((l) => l.includes("injected fault: 500 for create machines")), "creates did fail");
    ok(logs.lines.some((l) => l.includes("Reconcile failed; will retry")));
  } finally {
    logs.restore();
    await h.close();
  }
});
