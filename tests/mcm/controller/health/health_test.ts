import assert from "node:assert/strict";
import { canMarkMachineFailed, computeHealth, isHealthy } from "../../../../src/mcm/controller/health/health.ts";
import { nodeConditionsChanged } from "../../../../src/mcm/controller/machine/status.ts";
import { splitConditions } from "../../../../src/mcm/controller/machine/timeouts.ts";
import { LONG_RETRY_MS, SHORT_RETRY_MS } from "../../../../src/mcm/controller/retry.ts";
import { TAINT_CRITICAL_COMPONENTS_NOT_READY } from "../../../../src/apis/machine/v1alpha1.ts";
import { conditions, defaults, machine, MIN, node, NOW, settingsOf, withStatus } from "../fixtures.ts";

const watched = splitConditions(defaults.nodeConditions);

// MCM machine_test.go "#isHealthy" table.
const healthTable: Array<[string, Record<string, string>, boolean]> = [
  ["Ready True, all others False", {}, true],
  ["Ready False", { Ready: "False" }, false],
  ["Ready Unknown", { Ready: "Unknown" }, false],
  ["DiskPressure True", { DiskPressure: "True" }, false],
  ["DiskPressure Unknown", { DiskPressure: "Unknown" }, false],
  ["NetworkUnavailable True", { NetworkUnavailable: "True" }, false],
  ["NetworkUnavailable Unknown", { NetworkUnavailable: "Unknown" }, false],
  ["KernelDeadlock True", { KernelDeadlock: "True" }, false],
  ["ReadonlyFilesystem True", { ReadonlyFilesystem: "True" }, false],
  ["MemoryPressure True is ignored by default", { MemoryPressure: "True" }, true],
  ["PIDPressure Unknown is ignored by default", { PIDPressure: "Unknown" }, true],
];
for (const [name, overrides, healthy] of healthTable) {
  Deno.test(`isHealthy: ${name} → ${healthy}`, () => {
    assert.equal(isHealthy(conditions(overrides), watched), healthy);
  });
}

Deno.test("isHealthy: no conditions means not healthy (node not seen yet)", () => {
  assert.equal(isHealthy([], watched), false);
  assert.equal(isHealthy(undefined, watched), false);
});

Deno.test("isHealthy: a machine's nodeConditions override makes MemoryPressure count", () => {
  const m = machine("m", { spec: { nodeConditions: "MemoryPressure" } });
  assert.equal(isHealthy(conditions({ MemoryPressure: "True" }), settingsOf(m).nodeConditions), false);
  assert.equal(isHealthy(conditions({ DiskPressure: "True" }), settingsOf(m).nodeConditions), true);
});

Deno.test("nodeConditionsChanged compares length and statuses", () => {
  assert.equal(nodeConditionsChanged(conditions(), conditions()), false);
  assert.equal(nodeConditionsChanged(conditions(), conditions({ Ready: "False" })), true);
  assert.equal(nodeConditionsChanged([], conditions()), true);
});

Deno.test("health: Pending machine with healthy node becomes Running and has joined (bootstrap token to delete)", () => {
  const m = withStatus(machine("m1", { ageMs: 3 * MIN }), {
    phase: "Pending",
    op: { description: "Creating machine on cloud provider", state: "Processing", type: "Create" },
  });
  const d = computeHealth(m, node("m1", conditions()), settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Running");
  assert.equal(d.status?.lastOperation?.description, "Machine m1 successfully joined the cluster in 3m0s");
  assert.equal(d.status?.lastOperation?.type, "Create");
  assert.equal(d.status?.lastOperation?.state, "Successful");
  assert.equal(d.status?.conditions?.length, 7);
  assert.deepEqual(d.joined, { durationMs: 3 * MIN });
  assert.equal(d.requeueMs, SHORT_RETRY_MS);
});

Deno.test("health: critical-components taint keeps a Pending machine Pending", () => {
  const m = withStatus(machine("m1"), { phase: "Pending", op: { type: "Create", state: "Processing" } });
  const n = node("m1", conditions(), {
    spec: { taints: [{ key: TAINT_CRITICAL_COMPONENTS_NOT_READY, effect: "NoSchedule" }] },
  });
  const d = computeHealth(m, n, settingsOf(m), NOW);
  // Conditions are copied, the phase stays.
  assert.equal(d.status?.currentStatus?.phase, "Pending");
  assert.equal(d.joined, undefined);
  // A taint with another effect does not hold it back.
  const n2 = node("m1", conditions(), {
    spec: { taints: [{ key: TAINT_CRITICAL_COMPONENTS_NOT_READY, effect: "NoExecute" }] },
  });
  assert.equal(computeHealth(m, n2, settingsOf(m), NOW).status?.currentStatus?.phase, "Running");
});

Deno.test("health: the taint does not hold back an Unknown machine (re-join)", () => {
  const m = withStatus(machine("m1"), {
    phase: "Unknown",
    op: { type: "HealthCheck", state: "Processing" },
    conditions: conditions({ Ready: "False" }),
  });
  const n = node("m1", conditions(), {
    spec: { taints: [{ key: TAINT_CRITICAL_COMPONENTS_NOT_READY, effect: "NoSchedule" }] },
  });
  const d = computeHealth(m, n, settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Running");
  assert.equal(d.status?.lastOperation?.description, "Machine m1 successfully re-joined the cluster");
  assert.equal(d.status?.lastOperation?.type, "HealthCheck");
  assert.equal(d.joined, undefined);
});

Deno.test("health: Running machine with unhealthy node becomes Unknown", () => {
  const m = withStatus(machine("m1"), { phase: "Running", conditions: conditions() });
  const d = computeHealth(m, node("m1", conditions({ DiskPressure: "True" })), settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Unknown");
  assert.equal(d.status?.lastOperation?.type, "HealthCheck");
  assert.equal(d.status?.lastOperation?.state, "Processing");
  assert.match(d.status!.lastOperation!.description!, /^Machine m1 is unhealthy - changing MachinePhase to Unknown/);
  assert.match(d.status!.lastOperation!.description!, /Type:DiskPressure Status:True/);
});

Deno.test("health: Running machine whose node went missing becomes Unknown", () => {
  const m = withStatus(machine("m1"), { phase: "Running", conditions: conditions() });
  const d = computeHealth(m, undefined, settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Unknown");
  assert.equal(
    d.status?.lastOperation?.description,
    "Node object went missing. Machine m1 is unhealthy - changing MachinePhase to Unknown",
  );
});

Deno.test("health: steady Running machine changes nothing and comes back after LongRetry", () => {
  const m = withStatus(machine("m1"), { phase: "Running", conditions: conditions() });
  const d = computeHealth(m, node("m1", conditions()), settingsOf(m), NOW);
  assert.equal(d.status, undefined);
  assert.equal(d.requeueMs, LONG_RETRY_MS);
});

Deno.test("health: Pending past the creation timeout becomes Failed", () => {
  const m = withStatus(machine("m1", { ageMs: 21 * MIN }), { phase: "Pending", op: { type: "Create" } });
  const d = computeHealth(m, undefined, settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Failed");
  assert.equal(d.status?.lastOperation?.description, "Machine m1 failed to join the cluster in 20m0s minutes.");
  assert.equal(d.status?.lastOperation?.state, "Failed");
  assert.equal(d.creationTimedOut, true);
});

Deno.test("health: Pending within the timeout is rechecked within a minute", () => {
  const m = withStatus(machine("m1", { ageMs: 5 * MIN }), { phase: "Pending", op: { type: "Create" } });
  const d = computeHealth(m, undefined, settingsOf(m), NOW);
  assert.equal(d.status, undefined);
  assert.ok(d.requeueMs <= MIN);
});

Deno.test("health: effective-creation-timeout annotation wins over spec and flag", () => {
  const m = withStatus(
    machine("m1", {
      ageMs: 6 * MIN,
      metadata: { name: "m1", annotations: { "node.machine.sapcloud.io/effective-creation-timeout": "5m" } },
      spec: { creationTimeout: "30m" },
    }),
    { phase: "Pending", op: { type: "Create" } },
  );
  assert.equal(computeHealth(m, undefined, settingsOf(m), NOW).status?.currentStatus?.phase, "Failed");
  const m2 = { ...m, metadata: { ...m.metadata, annotations: {} } };
  assert.equal(computeHealth(m2, undefined, settingsOf(m2), NOW).status, undefined);
});

Deno.test("health: Unknown past the health timeout is a fail candidate; per-machine healthTimeout applies", () => {
  const m = withStatus(machine("m1"), {
    phase: "Unknown",
    phaseSinceMs: 11 * MIN,
    op: { type: "HealthCheck" },
    conditions: conditions({ Ready: "False" }),
  });
  const d = computeHealth(m, node("m1", conditions({ Ready: "False" })), settingsOf(m), NOW);
  assert.equal(d.failCandidate?.status.currentStatus?.phase, "Failed");
  assert.match(
    d.failCandidate!.status.lastOperation!.description!,
    /^Machine m1 health checks failing since last 10m0s minutes\. Updating machine phase to Failed\./,
  );
  const longer = { ...m, spec: { ...m.spec, healthTimeout: "1h" } };
  assert.equal(
    computeHealth(longer, node("m1", conditions({ Ready: "False" })), settingsOf(longer), NOW).failCandidate,
    undefined,
  );
  const disabled = { ...m, spec: { ...m.spec, disableHealthTimeout: true } };
  assert.equal(computeHealth(disabled, undefined, settingsOf(disabled), NOW).failCandidate, undefined);
});

Deno.test("meltdown: at most one replacement in progress per MachineDeployment", () => {
  const running = withStatus(machine("a"), { phase: "Running" });
  const unknown = withStatus(machine("b"), { phase: "Unknown" });
  const pending = withStatus(machine("c"), { phase: "Pending" });
  const terminating = withStatus(machine("d"), { phase: "Terminating" });
  const failed = withStatus(machine("e"), { phase: "Failed" });
  assert.equal(canMarkMachineFailed([running, unknown, unknown], NOW), true);
  assert.equal(canMarkMachineFailed([running, unknown, pending], NOW), false);
  assert.equal(canMarkMachineFailed([running, unknown, terminating], NOW), false);
  assert.equal(canMarkMachineFailed([running, unknown, failed], NOW), false);
  assert.equal(canMarkMachineFailed([running, unknown, terminating], NOW, 2), false, "Terminating counts twice");
  const preserved = {
    ...failed,
    status: {
      ...failed.status,
      currentStatus: { phase: "Failed", preserveExpiryTime: new Date(NOW + MIN).toISOString() },
    },
  };
  assert.equal(canMarkMachineFailed([running, unknown, preserved], NOW), true, "preserved Failed does not count");
});
