import assert from "node:assert/strict";
import {
  branchOnStatus,
  createErrorOutcome,
  createFailurePhase,
  isStaleNode,
  needsCreationFlow,
  pendingStatus,
  staleNodeStatus,
  withCreationMetadata,
} from "../../../../src/mcm/controller/creation/creation_flow.ts";
import { MachineError } from "../../../../src/mcm/driver/driver.ts";
import { LONG_RETRY_MS, MEDIUM_RETRY_MS, SHORT_RETRY_MS } from "../../../../src/mcm/controller/retry.ts";
import { machine, MIN, NOW, withStatus } from "../fixtures.ts";

const opts = { creationTimeoutMs: 20 * MIN, resourceExhaustedRetryMs: 10 * MIN, now: NOW };

Deno.test("needsCreationFlow: empty providerID, empty phase or CrashLoopBackOff", () => {
  assert.equal(needsCreationFlow(machine("a")), true);
  const created = machine("a", { spec: { providerID: "equinixmetal://ny/1" } });
  assert.equal(needsCreationFlow(created), true, "phase still empty");
  assert.equal(needsCreationFlow(withStatus(created, { phase: "CrashLoopBackOff" })), true);
  assert.equal(needsCreationFlow(withStatus(created, { phase: "Pending" })), false);
  assert.equal(needsCreationFlow(withStatus(created, { phase: "Running" })), false);
  assert.equal(needsCreationFlow(withStatus(machine("a"), { phase: "Failed" })), false, "Failed waits for replacement");
});

Deno.test("branchOnStatus: skipped lookup (no providerID) creates", () => {
  assert.deepEqual(branchOnStatus(machine("a"), undefined), { kind: "create" });
});

Deno.test("branchOnStatus: existing VM is adopted (already created)", () => {
  const b = branchOnStatus(machine("a"), { response: { providerID: "equinixmetal://ny/1", nodeName: "a" } });
  assert.deepEqual(b, { kind: "adopt", providerID: "equinixmetal://ny/1", nodeName: "a", uninitialized: false });
});

Deno.test("branchOnStatus: NotFound/Unimplemented create only without providerID", () => {
  for (const code of ["NotFound", "Unimplemented"] as const) {
    assert.deepEqual(branchOnStatus(machine("a"), { error: new MachineError(code, "x") }), { kind: "create" });
    const m = machine("a", {
      spec: { providerID: "equinixmetal://ny/1" },
      metadata: { name: "a", labels: { node: "a" } },
    });
    assert.deepEqual(branchOnStatus(m, { error: new MachineError(code, "x") }), {
      kind: "keep",
      providerID: "equinixmetal://ny/1",
      nodeName: "a",
    });
  }
});

Deno.test("branchOnStatus: undecodable error requeues after MediumRetry, other codes are create errors", () => {
  assert.deepEqual(branchOnStatus(machine("a"), { error: new Error("boom") }), {
    kind: "requeue",
    retryMs: MEDIUM_RETRY_MS,
  });
  const err = new MachineError("Internal", "bad");
  assert.deepEqual(branchOnStatus(machine("a"), { error: err }), { kind: "error", error: err });
  assert.equal(branchOnStatus(machine("a"), { error: new MachineError("Uninitialized", "u") }).kind, "adopt");
});

Deno.test("create error Internal: CrashLoopBackOff, MediumRetry, exact description and code", () => {
  const m = machine("a", { ageMs: MIN });
  const err = new MachineError("Internal", "Could not create machine: 500 Internal Server Error");
  const out = createErrorOutcome(m, err, opts);
  assert.equal(out.status.currentStatus?.phase, "CrashLoopBackOff");
  assert.equal(out.retryMs, MEDIUM_RETRY_MS);
  assert.deepEqual(
    { ...out.status.lastOperation, lastUpdateTime: undefined },
    {
      description:
        "Cloud provider message - machine codes error: code = [Internal] message = [Could not create machine: 500 Internal Server Error]",
      errorCode: "Internal",
      state: "Failed",
      type: "Create",
      lastUpdateTime: undefined,
    },
  );
});

Deno.test("create error ResourceExhausted uses --resource-exhausted-retry (0 means LongRetry)", () => {
  const err = new MachineError("ResourceExhausted", "no capacity");
  assert.equal(createErrorOutcome(machine("a"), err, { ...opts, resourceExhaustedRetryMs: 42_000 }).retryMs, 42_000);
  assert.equal(createErrorOutcome(machine("a"), err, { ...opts, resourceExhaustedRetryMs: 0 }).retryMs, LONG_RETRY_MS);
  assert.equal(createErrorOutcome(machine("a"), err, opts).status.lastOperation?.errorCode, "ResourceExhausted");
});

Deno.test("create error transient codes retry after ShortRetry", () => {
  for (const code of ["Unknown", "DeadlineExceeded", "Aborted", "Unavailable"] as const) {
    assert.equal(createErrorOutcome(machine("a"), new MachineError(code, "x"), opts).retryMs, SHORT_RETRY_MS, code);
  }
  assert.equal(
    createErrorOutcome(machine("a"), new MachineError("InvalidArgument", "x"), opts).retryMs,
    MEDIUM_RETRY_MS,
  );
});

Deno.test("create error after the creation timeout: Failed instead of CrashLoopBackOff", () => {
  const old = machine("a", { ageMs: 21 * MIN });
  assert.equal(createFailurePhase(old, 20 * MIN, NOW), "Failed");
  const out = createErrorOutcome(old, new MachineError("Internal", "x"), opts);
  assert.equal(out.status.currentStatus?.phase, "Failed");
  const overridden = { ...old, spec: { ...old.spec } };
  assert.equal(createFailurePhase(overridden, 30 * MIN, NOW), "CrashLoopBackOff");
});

Deno.test("create error keeps lastKnownState unless the driver returned a new one", () => {
  const m = { ...machine("a"), status: { lastKnownState: "old" } };
  assert.equal(createErrorOutcome(m, new MachineError("Internal", "x"), opts).status.lastKnownState, "old");
  assert.equal(
    createErrorOutcome(m, new MachineError("Internal", "x"), { ...opts, lastKnownState: "new" }).status.lastKnownState,
    "new",
  );
});

Deno.test("stale node: an existing node with another name than the machine", () => {
  assert.equal(isStaleNode("old-node", "machine-0", true), true);
  assert.equal(isStaleNode("machine-0", "machine-0", true), false);
  assert.equal(isStaleNode("old-node", "machine-0", false), false);
  const s = staleNodeStatus(machine("machine-0"), NOW);
  assert.equal(s.currentStatus?.phase, "Failed");
  assert.equal(s.lastOperation?.description, "VM using old node obj");
  assert.equal(s.lastOperation?.type, "Create");
});

Deno.test("creation metadata: label node, priority 3 and providerID; existing values kept", () => {
  const next = withCreationMetadata(machine("a"), "equinixmetal://ny/1", "a", false)!;
  assert.equal(next.metadata.labels?.node, "a");
  assert.equal(next.metadata.annotations?.["machinepriority.machine.sapcloud.io"], "3");
  assert.equal(next.spec.providerID, "equinixmetal://ny/1");
  assert.equal(withCreationMetadata(next, "equinixmetal://ny/1", "a", false), undefined, "nothing to update");
  const prio1 = machine("b", {
    metadata: { name: "b", annotations: { "machinepriority.machine.sapcloud.io": "1" } },
    spec: { providerID: "equinixmetal://ewr1/old" },
  });
  const n2 = withCreationMetadata(prio1, "equinixmetal://ny/new", "b", false)!;
  assert.equal(n2.metadata.annotations?.["machinepriority.machine.sapcloud.io"], "1");
  assert.equal(n2.spec.providerID, "equinixmetal://ewr1/old", "an older providerID form is not rewritten");
});

Deno.test("pending status from empty phase or CrashLoopBackOff only", () => {
  const s = pendingStatus(machine("a"), NOW)!;
  assert.equal(s.currentStatus?.phase, "Pending");
  assert.equal(s.currentStatus?.timeoutActive, true);
  assert.equal(s.lastOperation?.description, "Creating machine on cloud provider");
  assert.equal(s.lastOperation?.state, "Processing");
  assert.equal(s.lastOperation?.type, "Create");
  const clbo = withStatus(machine("a"), {
    phase: "CrashLoopBackOff",
    op: { description: "Cloud provider message - x", state: "Failed", type: "Create" },
  });
  assert.equal(pendingStatus(clbo, NOW)?.currentStatus?.phase, "Pending", "CrashLoopBackOff → Pending");
  assert.equal(pendingStatus(withStatus(machine("a"), { phase: "Running" }), NOW), undefined);
});
