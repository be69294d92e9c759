/** What one MachineSet sync creates or deletes, and in which order machines are deleted. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  ANNOTATION_LAST_REPLICA_CHANGE_BY_SCALER,
  ANNOTATION_MACHINE_PRIORITY,
  ANNOTATION_MARKED_FOR_DELETION_TIME,
  ANNOTATION_PRESERVE,
} from "../../../src/apis/machine/v1alpha1.ts";
import { pickForDeletion } from "../../../src/sim/machinedeployments/machine_ranking.ts";
import { planMachineSetReplicas, slowStartBatches } from "../../../src/sim/machinedeployments/machineset_replicas.ts";
import { machine, machineSet } from "./fixtures.ts";

const NOW = Date.UTC(2026, 5, 1);
const names = (ms: { metadata: { name?: string } }[]) => ms.map((m) => m.metadata.name);

Deno.test("too few machines: create the difference, Terminating ones do not count, at most 100", () => {
  const set = machineSet("set", 3, 0);
  assertEquals(planMachineSetReplicas(set, [machine("a", "Running"), machine("b", "Terminating")], NOW), {
    create: 2,
    remove: [],
  });
  assertEquals(planMachineSetReplicas(machineSet("set", 250, 0), [], NOW).create, 100);
});

Deno.test("frozen or scale-up-disabled sets create nothing", () => {
  const frozen = machineSet("set", 3, 0);
  frozen.metadata.labels = { freeze: "True" };
  assertEquals(planMachineSetReplicas(frozen, [], NOW), { create: 0, remove: [], blocked: "frozen" });
  const disabled = machineSet("set", 3, 0);
  disabled.metadata.labels = { "node.machine.sapcloud.io/scale-up-disabled": "" };
  assertEquals(planMachineSetReplicas(disabled, [], NOW).blocked, "scale-up disabled");
});

Deno.test("surplus: priority first, then phase (creating, Failed, Unknown, Pending, Available, Running)", () => {
  const machines = [
    machine("running-old", "Running"),
    machine("available", "Available"),
    machine("pending", "Pending"),
    machine("unknown", "Unknown"),
    machine("creating", ""),
    machine("running-prio1", "Running", { annotations: { [ANNOTATION_MACHINE_PRIORITY]: "1" } }),
    machine("running-new", "Running"),
  ];
  assertEquals(names(pickForDeletion(machines, 7)), [
    "running-prio1",
    "creating",
    "unknown",
    "pending",
    "available",
    "running-new", // newest first among equals
    "running-old",
  ]);
  const plan = planMachineSetReplicas(machineSet("set", 4, 0), machines, NOW);
  assertEquals([plan.create, names(plan.remove)], [0, ["running-prio1", "creating", "unknown"]]);
  const bad = machine("bad-prio", "Running", { annotations: { [ANNOTATION_MACHINE_PRIORITY]: "high" } });
  assertEquals(
    names(pickForDeletion([bad, machine("p2", "Running", { annotations: { [ANNOTATION_MACHINE_PRIORITY]: "2" } })], 1)),
    ["p2"],
  );
});

Deno.test("Failed machines are deleted (even at the right count) unless preserved; deleting ones are skipped", () => {
  const machines = [
    machine("ok", "Running"),
    machine("failed", "Failed"),
    machine("kept", "Failed", { annotations: { [ANNOTATION_PRESERVE]: "now" } }),
    machine("already", "Failed", { deletionTimestamp: "2026-06-01T00:00:00Z", finalizers: ["f"] }),
  ];
  const expired = machine("expired", "Failed");
  expired.status!.currentStatus!.preserveExpiryTime = new Date(NOW - 1000).toISOString();
  const future = machine("future", "Failed");
  future.status!.currentStatus!.preserveExpiryTime = new Date(NOW + 1000).toISOString();
  const plan = planMachineSetReplicas(machineSet("set", 6, 0), [...machines, expired, future], NOW);
  assertEquals([plan.create, names(plan.remove)], [0, ["failed", "expired"]]);
});

Deno.test("machines the autoscaler marked before the set's last scale-down are deleted", () => {
  const set = machineSet("set", 2, 2);
  set.metadata.annotations = { [ANNOTATION_LAST_REPLICA_CHANGE_BY_SCALER]: "2026-06-01T10:00:00Z" };
  const marked = (name: string, at: string) =>
    machine(name, "Running", {
      annotations: { [ANNOTATION_MACHINE_PRIORITY]: "1", [ANNOTATION_MARKED_FOR_DELETION_TIME]: at },
    });
  const plan = planMachineSetReplicas(set, [
    marked("before", "2026-06-01T09:00:00Z"),
    marked("after", "2026-06-01T11:00:00Z"),
  ], NOW);
  assertEquals(names(plan.remove), ["before"]);
});

Deno.test("slow start: batches of 1, 2, 4, ... until the count is reached", () => {
  assertEquals(slowStartBatches(0, 1), []);
  assertEquals(slowStartBatches(1, 1), [1]);
  assertEquals(slowStartBatches(10, 1), [1, 2, 4, 3]);
  assertEquals(slowStartBatches(100, 1), [1, 2, 4, 8, 16, 32, 37]);
});
