/** Rollout detection from MachineDeployments and MachineSets, and failed machines with their error codes. */
import assert from "node:assert/strict";
import type { Machine, MachineDeployment, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import {
  evaluateRollout,
  machineDeploymentProblem,
  unavailableAccepted,
} from "../../../src/extension/genericworker/rollout.ts";
import { failedMachinesError } from "../../../src/extension/genericworker/failed_machines.ts";
import { determineErrorCodes } from "../../../src/extension/reconciler/error_codes.ts";
import type { DesiredDeployment } from "../../../src/extension/genericworker/machine_deployment.ts";

const wanted = [{ name: "md-a", className: "md-a-new" }, { name: "md-b", className: "md-b-1" }] as DesiredDeployment[];

function md(name: string, replicas: number, status: MachineDeployment["status"], generation = 2): MachineDeployment {
  return {
    metadata: { name, generation },
    spec: { replicas, template: {} },
    status: {
      observedGeneration: generation,
      conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }],
      ...status,
    },
  };
}

function set(name: string, owner: string, cls: string, byLabel = false): MachineSet {
  return {
    metadata: byLabel ? { name, labels: { name: owner } } : {
      name,
      ownerReferences: [{
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "MachineDeployment",
        name: owner,
        uid: "u",
      }],
    },
    spec: { template: { spec: { class: { kind: "MachineClass", name: cls } } } },
  };
}

const done = (n: number) => ({ replicas: n, updatedReplicas: n, availableReplicas: n, unavailableReplicas: 0 });

Deno.test("available when every wanted deployment has a set of its class, is healthy and fully updated", () => {
  const mds = [md("md-a", 2, done(2)), md("md-b", 1, done(1)), md("unwanted", 3, { replicas: 0 })];
  const sets = [set("s1", "md-a", "md-a-new"), set("s2", "md-b", "md-b-1", true)];
  assert.equal(evaluateRollout(wanted, mds, sets, "ns", false).done, true);
});

Deno.test("a class change is a rolling update until MCM has a set of the new class", () => {
  const mds = [md("md-a", 2, done(2)), md("md-b", 1, done(1))];
  const r = evaluateRollout(wanted, mds, [set("s0", "md-a", "md-a-old"), set("s2", "md-b", "md-b-1")], "ns", false);
  assert.equal(r.done, false);
  assert.match(r.message, /create the updated machine set for the machine deployment\(s\) ns\/md-a$/);
});

Deno.test("waits for old machines to drain, for unavailable machines, and for MCM to observe the generation", () => {
  const sets = [set("s0", "md-a", "md-a-old"), set("s1", "md-a", "md-a-new"), set("s2", "md-b", "md-b-1")];
  const draining = evaluateRollout(
    wanted,
    [
      md("md-a", 2, { replicas: 3, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 0 }),
      md("md-b", 1, done(1)),
    ],
    sets,
    "ns",
    false,
  );
  assert.equal(draining.done, false);
  assert.match(draining.message, /old machines are drained and terminated\. Waiting for 1 machine/);
  const pending = evaluateRollout(
    wanted,
    [
      md("md-a", 2, { replicas: 3, updatedReplicas: 1, availableReplicas: 2, unavailableReplicas: 1 }),
      md("md-b", 1, done(1)),
    ],
    sets,
    "ns",
    false,
  );
  assert.match(
    pending.message,
    /3\/3 desired machine\(s\) available, 2\/3 machine\(s\) updated, 1 machine\(s\) pending, 2\/2/,
  );
  const stale = md("md-a", 2, done(2), 3);
  stale.status!.observedGeneration = 2;
  assert.equal(machineDeploymentProblem(stale), "observed generation outdated (2/3)");
  assert.equal(evaluateRollout(wanted, [stale, md("md-b", 1, done(1))], sets, "ns", false).done, false);
  const frozen = md("md-b", 1, {
    ...done(1),
    conditions: [{ type: "Available", status: "True" }, { type: "Frozen", status: "True" }],
  });
  assert.match(machineDeploymentProblem(frozen) ?? "", /Frozen is True/);
  assert.equal(machineDeploymentProblem(md("x", 1, { conditions: [] })), "condition Available is missing");
});

Deno.test("unavailable replicas: none, or no more than the preserved failed machines (Gardener's rule)", () => {
  const table: [unavailable: number, preserved: number, accepted: boolean][] = [
    [0, 0, true],
    [0, 2, true],
    [1, 0, false],
    [1, 1, true],
    [2, 3, true],
    [3, 2, false],
  ];
  for (const [unavailable, preserved, accepted] of table) {
    assert.equal(
      unavailableAccepted(unavailable, preserved),
      accepted,
      `${unavailable} unavailable, ${preserved} preserved`,
    );
  }
});

Deno.test("a preserved failed machine does not hold the rollout; more unavailable machines than preserved ones do", () => {
  const sets = [set("s1", "md-a", "md-a-new"), set("s2", "md-b", "md-b-1")];
  const preserved = (unavailable: number) =>
    md("md-a", 3, {
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3 - unavailable,
      unavailableReplicas: unavailable,
      preservedFailedReplicas: 1,
    });
  assert.equal(evaluateRollout(wanted, [preserved(1), md("md-b", 1, done(1))], sets, "ns", false).done, true);
  const r = evaluateRollout(wanted, [preserved(2), md("md-b", 1, done(1))], sets, "ns", false);
  assert.equal(r.done, false);
  assert.match(r.message, /2 machine\(s\) pending/);
});

Deno.test("hibernated: done when the wanted deployments report 0 replicas", () => {
  assert.equal(
    evaluateRollout(wanted, [md("md-a", 0, { replicas: 1 }), md("md-b", 0, { replicas: 0 })], [], "ns", true).done,
    false,
  );
  assert.equal(
    evaluateRollout(wanted, [md("md-a", 0, { replicas: 0 }), md("md-b", 0, { replicas: 0 })], [], "ns", true).done,
    true,
  );
});

Deno.test("hibernated: Machines of a wanted deployment MCM has not counted yet (just restored) are still awake", () => {
  const machine = (name: string, deployment: string): Machine => ({
    metadata: { name, labels: { name: deployment } },
    spec: {},
  });
  const mds = [md("md-a", 0, {}), md("md-b", 0, {})];
  const r = evaluateRollout(wanted, mds, [], "ns", true, [machine("m1", "md-a"), machine("m2", "md-a")]);
  assert.equal(r.done, false);
  assert.match(r.message, /\(2 still awake\)/);
  assert.equal(evaluateRollout(wanted, mds, [], "ns", true, [machine("x", "unwanted")]).done, true);
});

Deno.test("failed machines: grouped by description; codes from the machine error code or the capacity text", () => {
  const failed = (name: string, description: string, errorCode?: string) => ({
    name,
    lastOperation: { description, errorCode, state: "Failed", type: "Create" },
  });
  assert.equal(failedMachinesError([md("a", 1, done(1))]), undefined);
  const e = failedMachinesError([
    md("a", 1, {
      failedMachines: [
        failed("m1", "no capacity", "ResourceExhausted"),
        failed("m2", "no capacity", "ResourceExhausted"),
      ],
    }),
    md("b", 1, { failedMachines: [failed("m3", "plan not available")] }),
  ])!;
  assert.equal(e.message, 'machine(s) failed: ["m1", "m2": no capacity; "m3": plan not available]');
  assert.deepEqual(determineErrorCodes(e), ["ERR_INFRA_RESOURCES_DEPLETED"]);
  assert.deepEqual(e.machines, ["m1", "m2", "m3"]);
  const old = failedMachinesError([
    md("a", 1, { failedMachines: [failed("m1", "Cloud provider message - ResourceExhausted: out of stock")] }),
  ])!;
  assert.deepEqual(determineErrorCodes(old), ["ERR_INFRA_RESOURCES_DEPLETED"]);
  const auth = failedMachinesError([md("a", 1, { failedMachines: [failed("m1", "401", "Unauthenticated")] })])!;
  assert.deepEqual(determineErrorCodes(auth), ["ERR_INFRA_UNAUTHENTICATED"]);
  const other = failedMachinesError([md("a", 1, { failedMachines: [failed("m1", "kaput", "Internal")] })])!;
  assert.deepEqual(determineErrorCodes(other), []);
});
