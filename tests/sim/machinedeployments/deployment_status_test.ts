/** MachineDeployment status as MCM computes it from the MachineSets. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import {
  computeDeploymentStatus,
  computeRolloutStatus,
  deploymentStatusChanged,
  progressCheckDelayMs,
} from "../../../src/sim/machinedeployments/deployment_status.ts";
import { machineSet, rollingDeployment } from "./fixtures.ts";

const NOW = Date.UTC(2026, 5, 1);
const T0 = "2026-06-01T00:00:00Z";

function withStatus(md: MachineDeployment, status: MachineDeployment["status"]): MachineDeployment {
  return { ...md, status };
}

Deno.test("sums over the sets; updated = the new set; unavailable from spec replicas, never negative", () => {
  const md = rollingDeployment(4, 1, 1);
  const old = machineSet("old", 2, 2, { statusReplicas: 3 });
  old.status!.readyReplicas = 1;
  const fresh = machineSet("new", 3, 1);
  old.status!.failedMachines = [{ name: "m1", ownerRef: "old" }];
  fresh.status!.failedMachines = [{ name: "m2", ownerRef: "new" }];
  const s = computeDeploymentStatus(md, [old, fresh], fresh, NOW);
  assertEquals(
    [s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas, s.observedGeneration],
    [6, 3, 2, 3, 2, 1],
  );
  assertEquals(s.failedMachines?.map((f) => f.name), ["m1", "m2"]);
  assertEquals(s.conditions, [{
    type: "Available",
    status: "True",
    reason: "MinimumReplicasAvailable",
    message: "Deployment has minimum availability.",
    lastUpdateTime: T0,
    lastTransitionTime: T0,
  }]);
  const over = computeDeploymentStatus(md, [machineSet("x", 1, 5)], undefined, NOW);
  assertEquals([over.unavailableReplicas, over.updatedReplicas], [0, 0]);
  assertEquals(over.failedMachines, undefined, "no empty list written");
});

Deno.test("Available: False below replicas − maxUnavailable; timestamps kept while nothing changes", () => {
  const md = rollingDeployment(4, 1, 1);
  const down = computeDeploymentStatus(md, [machineSet("s", 4, 2)], undefined, NOW);
  const available = down.conditions?.find((c) => c.type === "Available");
  assertEquals([available?.status, available?.reason, available?.message], [
    "False",
    "MinimumReplicasUnavailable",
    "Deployment does not have minimum availability.",
  ]);
  const later = computeDeploymentStatus(withStatus(md, down), [machineSet("s", 4, 2)], undefined, NOW + 3_600_000);
  assertEquals(later, down);
  ok(!deploymentStatusChanged(withStatus(md, down), later));
  const up = computeDeploymentStatus(withStatus(md, down), [machineSet("s", 4, 3)], undefined, NOW + 60_000);
  assertEquals(up.conditions?.find((c) => c.type === "Available")?.status, "True");
  assertEquals(up.conditions?.find((c) => c.type === "Available")?.lastTransitionTime, "2026-06-01T00:01:00Z");
});

Deno.test("Progressing exists only with progressDeadlineSeconds: progress, completion, deadline", () => {
  const plain = rollingDeployment(2, 1, 0);
  const set = machineSet("new", 2, 1);
  assertEquals(computeRolloutStatus(plain, [set], set, NOW).conditions?.map((c) => c.type), ["Available"]);

  const md: MachineDeployment = { ...plain, spec: { ...plain.spec, progressDeadlineSeconds: 600 } };
  const s1 = computeRolloutStatus(md, [set], set, NOW);
  const p1 = s1.conditions?.find((c) => c.type === "Progressing");
  assertEquals([p1?.status, p1?.reason, p1?.message], [
    "True",
    "MachineSetUpdated",
    'MachineSet "new" is progressing.',
  ]);

  // No progress for longer than the deadline.
  const stuck = withStatus(md, s1);
  assertEquals(progressCheckDelayMs(stuck, s1, NOW), 601_000);
  const s2 = computeRolloutStatus(stuck, [set], set, NOW + 601_000);
  const p2 = s2.conditions?.find((c) => c.type === "Progressing");
  assertEquals([p2?.status, p2?.reason], ["False", "ProgressDeadlineExceeded"]);

  // Completion.
  const done = machineSet("new", 2, 2);
  const s3 = computeRolloutStatus(withStatus(md, s1), [done], done, NOW + 60_000);
  const p3 = s3.conditions?.find((c) => c.type === "Progressing");
  assertEquals([p3?.status, p3?.reason, p3?.message], [
    "True",
    "NewMachineSetAvailable",
    'MachineSet "new" has successfully progressed.',
  ]);
  assertEquals(p3?.lastTransitionTime, T0, "still True: the transition time stays");
  assertEquals(progressCheckDelayMs(withStatus(md, s3), s3, NOW), undefined);
});

Deno.test("a set's ReplicaFailure surfaces on the deployment and goes away with it", () => {
  const md = rollingDeployment(2, 1, 0);
  const set = machineSet("new", 2, 0);
  set.status!.machineSetCondition = [{
    type: "ReplicaFailure",
    status: "True",
    reason: "FailedCreate",
    message: "quota",
    lastTransitionTime: T0,
  }];
  const s = computeRolloutStatus(md, [set], set, NOW);
  assertEquals(s.conditions?.find((c) => c.type === "ReplicaFailure"), {
    type: "ReplicaFailure",
    status: "True",
    reason: "FailedCreate",
    message: "quota",
    lastTransitionTime: T0,
    lastUpdateTime: T0,
  });
  const clean = machineSet("new", 2, 0);
  const s2 = computeRolloutStatus(withStatus(md, s), [clean], clean, NOW);
  assertEquals(s2.conditions?.map((c) => c.type), ["Available"]);
});
