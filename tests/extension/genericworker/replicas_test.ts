/** The replica rules of the generic Worker actuator, one row per rule and its precedence. */
import assert from "node:assert/strict";
import {
  desiredReplicas,
  mcmReplicasAfterRestore,
  type ReplicaInputs,
} from "../../../src/extension/genericworker/replicas.ts";

const base: ReplicaInputs = {
  hibernated: false,
  autoscalerUsed: true,
  minimum: 2,
  maximum: 5,
  exists: true,
  existingReplicas: 3,
  allExistingAtZero: false,
};

Deno.test("replica rules in order", () => {
  const rows: Array<[string, Partial<ReplicaInputs>, number]> = [
    ["hibernated wins over everything", { hibernated: true, autoscalerUsed: false, exists: false }, 0],
    ["no autoscaler: the minimum, whatever exists", { autoscalerUsed: false, existingReplicas: 4 }, 2],
    ["no autoscaler beats the restored state", { autoscalerUsed: false, exists: false, restoredReplicas: 4 }, 2],
    ["new deployment: the minimum", { exists: false, existingReplicas: undefined }, 2],
    ["new deployment during restore: the recorded replicas", { exists: false, restoredReplicas: 4 }, 4],
    ["waking up: the minimum", { existingReplicas: 0, allExistingAtZero: true }, 2],
    ["below the minimum: raised", { existingReplicas: 1 }, 2],
    ["above the maximum: lowered", { existingReplicas: 9 }, 5],
    ["within bounds: the autoscaler's value is kept", { existingReplicas: 4 }, 4],
    ["unset replicas count as 0 (raised to the minimum)", { existingReplicas: undefined }, 2],
  ];
  for (const [what, change, want] of rows) assert.equal(desiredReplicas({ ...base, ...change }), want, what);
});

Deno.test("MCM after a restore: 1 when awake; hibernated only while machines exist, else left alone", () => {
  const table: [hibernated: boolean, machines: number, replicas: number | undefined][] = [
    [false, 0, 1],
    [false, 3, 1],
    [true, 2, 1],
    [true, 0, undefined],
  ];
  for (const [hibernated, machines, replicas] of table) {
    assert.equal(
      mcmReplicasAfterRestore(hibernated, machines),
      replicas,
      `hibernated=${hibernated}, ${machines} machines`,
    );
  }
});
