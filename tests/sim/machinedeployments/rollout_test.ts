/**
 * Rolling update and Recreate on a class change, step by step: new machines stay Pending until the test promotes
 * them one at a time, and every state the simulation produces is checked against maxSurge/maxUnavailable.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { IntOrString, Machine, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { resolveFenceposts } from "../../../src/sim/machinedeployments/rollout_limits.ts";
import { deployment, Harness, NS } from "./harness.ts";

const NEW_CLASS = "pool-a-class-b";

function isUp(m: Machine): boolean {
  return m.status?.currentStatus?.phase === "Running" && !m.metadata.deletionTimestamp;
}

interface Case {
  replicas: number;
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
}

async function rollingUpdate(c: Case): Promise<void> {
  const { surge, unavailable } = resolveFenceposts(c.maxSurge, c.maxUnavailable, c.replicas);
  const h = await Harness.start({
    // Old-class machines come up at once; new-class ones wait for the test.
    phasePolicy: (m) => m.spec.class?.name === NEW_CLASS ? "Pending" : "Running",
  });
  const violations: string[] = [];
  try {
    await h.createDeployment(deployment("pool-a", {
      replicas: c.replicas,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: c.maxSurge, maxUnavailable: c.maxUnavailable } },
    }));
    await h.until(() => h.converged("pool-a", c.replicas), "initial rollout");
    const oldSet = h.setsOf("pool-a")[0].metadata.name!;

    // From now on, every state of the machine sets and of the machines must respect the limits.
    let watching = true;
    const checkSets = () => {
      if (!watching) return;
      const total = h.setsOf("pool-a").reduce((n, s) => n + (s.spec?.replicas ?? 0), 0);
      if (total > c.replicas + surge) violations.push(`Σ spec.replicas ${total} > ${c.replicas} + ${surge}`);
    };
    const checkMachines = () => {
      if (!watching) return;
      const up = h.machines.list(NS).filter(isUp).length;
      if (up < c.replicas - unavailable) violations.push(`${up} machines up < ${c.replicas} - ${unavailable}`);
    };
    h.sets.addEventHandler({ onUpdate: checkSets, onAdd: checkSets });
    h.machines.addEventHandler({ onUpdate: checkMachines, onAdd: checkMachines, onDelete: checkMachines });

    await h.updateDeployment("pool-a", (md) => (md.spec.template.spec!.class!.name = NEW_CLASS));
    let sawTwoSets = false;
    let promoted = 0;
    for (let step = 0; step < 4 * c.replicas; step++) {
      // Wait until the simulation has done what it can: some new machine waits for us, or the rollout is done.
      const pending = await h.until(() => {
        if (h.setsOf("pool-a").length > 1) sawTwoSets = true;
        const waiting = h.machines.list(NS).filter((m) => m.status?.currentStatus?.phase === "Pending");
        if (waiting.length) return waiting;
        return h.converged("pool-a", c.replicas) && h.setsOf("pool-a").length === 1 ? [] as Machine[] : undefined;
      }, `step ${step}`);
      if (pending.length === 0) break;
      await h.idle(500, 100); // anything the simulation does without new information happens now
      checkSets();
      checkMachines();
      await h.setPhase(pending[0].metadata.name!, "Running");
      promoted++;
    }
    watching = false;

    assertEquals(violations, []);
    ok(sawTwoSets, "old and new machine set coexisted during the rollout");
    await h.until(() => h.converged("pool-a", c.replicas) && h.setsOf("pool-a").length === 1, "rollout finished");
    const sets: MachineSet[] = h.setsOf("pool-a");
    assertEquals(sets.length, 1, "only the new machine set is left (revisionHistoryLimit 0)");
    ok(sets[0].metadata.name !== oldSet);
    assertEquals(sets[0].spec?.template?.spec?.class?.name, NEW_CLASS);
    assertEquals(sets[0].metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assertEquals(h.machines.list(NS).map((m) => m.spec.class?.name), Array(c.replicas).fill(NEW_CLASS));
    assertEquals(promoted, c.replicas, "every replacement machine was created exactly once");
    const s = h.deploymentOf("pool-a")!.status!;
    assertEquals(
      [s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas],
      [c.replicas, c.replicas, c.replicas, c.replicas, 0],
    );
    assertEquals(h.deploymentOf("pool-a")?.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assertEquals(h.setterErrors, []);
  } finally {
    await h.close();
  }
}

Deno.test("rolling update on a class change: maxSurge 1, maxUnavailable 0", () =>
  rollingUpdate({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }));

Deno.test("rolling update on a class change: maxSurge 0, maxUnavailable 1", () =>
  rollingUpdate({ replicas: 4, maxSurge: 0, maxUnavailable: 1 }));

Deno.test("rolling update on a class change: 25% / 25% of 10 (surge rounds up to 3, unavailable down to 2)", () =>
  rollingUpdate({ replicas: 10, maxSurge: "25%", maxUnavailable: "25%" }));

Deno.test("Recreate: old machines are all gone before the new machine set is created", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2, strategy: { type: "Recreate" } }));
    await h.until(() => h.converged("pool-a", 2), "initial rollout");
    const oldSet = h.setsOf("pool-a")[0].metadata.name!;
    const violations: string[] = [];
    h.sets.addEventHandler({
      onAdd: (s) => {
        const oldLeft = h.machinesOfSet(oldSet).length;
        if (s.metadata.name !== oldSet && oldLeft > 0) violations.push(`new set with ${oldLeft} old machines left`);
      },
    });
    await h.updateDeployment("pool-a", (md) => (md.spec.template.spec!.class!.name = NEW_CLASS));
    await h.until(() => h.converged("pool-a", 2) && h.setsOf("pool-a").length === 1, "recreated");
    assertEquals(violations, []);
    assertEquals(h.machines.list(NS).map((m) => m.spec.class?.name), [NEW_CLASS, NEW_CLASS]);
    ok(h.setsOf("pool-a")[0].metadata.name !== oldSet);
  } finally {
    await h.close();
  }
});

Deno.test("node template changes reach the existing machines without a rollout", async () => {
  const h = await Harness.start();
  try {
    await h.createDeployment(deployment("pool-a", { replicas: 2 }));
    await h.until(() => h.converged("pool-a", 2), "initial rollout");
    const set = h.setsOf("pool-a")[0].metadata.name!;
    const names = h.machines.list(NS).map((m) => m.metadata.name).sort();
    const taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }];
    await h.updateDeployment("pool-a", (md) => {
      md.spec.template.spec!.nodeTemplate = { metadata: { labels: { role: "gpu" } }, spec: { taints } };
      md.spec.minReadySeconds = 60;
      md.metadata.annotations = {
        ...md.metadata.annotations,
        "autoscaler.gardener.cloud/scale-down-unneeded-time": "30m0s",
      };
    });
    await h.until(
      () => h.machines.list(NS).every((m) => m.spec.nodeTemplate?.metadata?.labels?.role === "gpu"),
      "node template synced to machines",
    );
    assertEquals(h.setsOf("pool-a").map((s) => s.metadata.name), [set], "no new machine set");
    assertEquals(h.machines.list(NS).map((m) => m.metadata.name).sort(), names, "no machine replaced");
    assertEquals(h.machines.list(NS)[0].spec.nodeTemplate?.spec?.taints, taints);
    const updated = h.sets.get(`${NS}/${set}`)!;
    assertEquals(updated.spec?.minReadySeconds, 60);
    assertEquals(updated.metadata.annotations?.["autoscaler.gardener.cloud/scale-down-unneeded-time"], "30m0s");
    assertEquals(updated.spec?.template?.spec?.nodeTemplate?.metadata?.labels, { role: "gpu" });
  } finally {
    await h.close();
  }
});
