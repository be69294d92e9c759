/** MachineSet status as MCM computes it. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  computeMachineSetStatus,
  machineSetStatusChanged,
} from "../../../src/sim/machinedeployments/machineset_status.ts";
import { machine, machineSet } from "./fixtures.ts";

const NOW = Date.UTC(2026, 5, 1);

function failed(name: string) {
  const m = machine(name, "Failed");
  m.spec.providerID = `equinixmetal://ny5/${name}`;
  m.status!.lastOperation = {
    type: "HealthCheck",
    state: "Failed",
    description: "unhealthy",
    errorCode: "Unavailable",
  };
  return m;
}

Deno.test("counts: replicas include Terminating, available = Running+Available, ready = Running, fully labeled", () => {
  const fixture = machineSet("set", 4, 0, { statusReplicas: 0 });
  const set = { ...fixture, metadata: { ...fixture.metadata, generation: 3 } };
  const unlabeled = machine("d", "Running", { labels: {} });
  const s = computeMachineSetStatus(
    set,
    [
      machine("a", "Running"),
      machine("b", "Available"),
      machine("c", "Terminating"),
      unlabeled,
      machine("e", "Pending"),
    ],
    undefined,
    NOW,
  );
  assertEquals(
    [s.replicas, s.fullyLabeledReplicas, s.availableReplicas, s.readyReplicas, s.observedGeneration],
    [5, 4, 3, 2, 3],
  );
  assertEquals(s.failedMachines, undefined);
});

Deno.test("failedMachines: summary with providerID, lastOperation and owner; cleared once ready = old replicas", () => {
  const set = machineSet("set", 2, 1, { statusReplicas: 2 });
  const s1 = computeMachineSetStatus(set, [machine("a", "Running"), failed("x")], undefined, NOW);
  assertEquals(s1.failedMachines, [{
    name: "x",
    providerID: "equinixmetal://ny5/x",
    lastOperation: { type: "HealthCheck", state: "Failed", description: "unhealthy", errorCode: "Unavailable" },
    ownerRef: "set",
  }]);
  // The failed machine is being replaced: no failure any more, but not all ready yet → still reported.
  const s2 = computeMachineSetStatus(
    { ...set, status: s1 },
    [machine("a", "Running"), machine("n", "Pending")],
    undefined,
    NOW,
  );
  assertEquals(s2.failedMachines?.map((f) => f.name), ["x"]);
  // Ready count equals the previously reported replicas: cleared.
  const s3 = computeMachineSetStatus(
    { ...set, status: s2 },
    [machine("a", "Running"), machine("n", "Running")],
    undefined,
    NOW,
  );
  assertEquals(s3.failedMachines, undefined);
});

Deno.test("ReplicaFailure appears on a failed create/delete and goes away after a clean sync", () => {
  const set = machineSet("set", 3, 0, { statusReplicas: 0 });
  const s1 = computeMachineSetStatus(set, [], "quota exceeded", NOW);
  assertEquals(s1.machineSetCondition, [{
    type: "ReplicaFailure",
    status: "True",
    reason: "FailedCreate",
    message: "quota exceeded",
    lastTransitionTime: "2026-06-01T00:00:00Z",
  }]);
  // Still failing later: the condition keeps its first timestamp (no status churn).
  const s2 = computeMachineSetStatus({ ...set, status: s1 }, [], "quota exceeded again", NOW + 60_000);
  assertEquals(s2.machineSetCondition, s1.machineSetCondition);
  const over = machineSet("set", 0, 0);
  assertEquals(
    computeMachineSetStatus(over, [machine("a", "Running")], "boom", NOW).machineSetCondition?.[0].reason,
    "FailedDelete",
  );
  const s3 = computeMachineSetStatus({ ...set, status: s2 }, [], undefined, NOW);
  assertEquals(s3.machineSetCondition, undefined);
});

Deno.test("an unchanged world gives an unchanged status (no write)", () => {
  const set = machineSet("set", 2, 2);
  const machines = [machine("a", "Running"), machine("b", "Running")];
  const s = computeMachineSetStatus(set, machines, undefined, NOW);
  ok(machineSetStatusChanged(set, s), "first time: counts differ from the fixture's status");
  const stored = { ...set, status: s };
  ok(!machineSetStatusChanged(stored, computeMachineSetStatus(stored, machines, undefined, NOW + 3_600_000)));
});
