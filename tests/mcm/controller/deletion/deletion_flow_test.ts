import assert from "node:assert/strict";
import {
  deleteNodeOutcome,
  deleteVMOutcome,
  deletionStep,
  drainOutcome,
  mayHoldBootstrapToken,
  planDrain,
  terminatingCondition,
  terminatingStatus,
  vmStatusOutcome,
  volumeAttachmentOutcome,
} from "../../../../src/mcm/controller/deletion/deletion_flow.ts";
import { DeleteStep } from "../../../../src/apis/machine/v1alpha1.ts";
import { MachineError } from "../../../../src/mcm/driver/driver.ts";
import { LONG_RETRY_MS, MEDIUM_RETRY_MS, SHORT_RETRY_MS } from "../../../../src/mcm/controller/retry.ts";
import { timestamp } from "../../../../src/mcm/controller/machine/status.ts";
import { conditions, machine, MIN, NOW, withStatus } from "../fixtures.ts";

const terminating = (description: string) =>
  withStatus(machine("m", { metadata: { name: "m", deletionTimestamp: timestamp(NOW - MIN) } }), {
    phase: "Terminating",
    phaseSinceMs: 2 * MIN,
    op: { description, state: "Processing", type: "Delete" },
  });

Deno.test("deletionStep: finalizer missing → nothing; not Terminating → set Terminating", () => {
  const noFinalizer = machine("m", { metadata: { name: "m", finalizers: [] } });
  assert.equal(deletionStep(noFinalizer), "noFinalizer");
  assert.equal(deletionStep(withStatus(machine("m"), { phase: "Running" })), "setTerminating");
});

Deno.test("deletionStep: dispatch on the description keyword", () => {
  const table: Array<[string, string]> = [
    [DeleteStep.GetVMStatus, "getVMStatus"],
    [DeleteStep.InitiateDrain, "drain"],
    [`VM was not found at provider. Moving forward to node drain. ${DeleteStep.InitiateDrain}`, "drain"],
    [`Drain failed due to - x. Will retry in next sync. ${DeleteStep.InitiateDrain}`, "drain"],
    [`Force Drain successful. ${DeleteStep.DelVolumesAttachments}`, "deleteVolumeAttachments"],
    [`Drain successful. ${DeleteStep.InitiateVMDeletion}`, "deleteVM"],
    [`VM deletion was successful. ${DeleteStep.InitiateNodeDeletion}`, "deleteNode"],
    [`Deletion of Node Object "m" is successful. ${DeleteStep.InitiateFinalizerRemoval}`, "removeFinalizer"],
    ["something undecodable", "setTerminating"],
  ];
  for (const [d, step] of table) assert.equal(deletionStep(terminating(d)), step, d);
});

Deno.test("deletionStep: the trailing keyword wins over a keyword quoted inside an error text", () => {
  const d =
    `VM deletion failed due to - upstream said "${DeleteStep.InitiateDrain}". Aborting operation. ${DeleteStep.InitiateVMDeletion}`;
  assert.equal(deletionStep(terminating(d)), "deleteVM");
});

Deno.test("terminating status: phase Terminating, getting VM status, preserveExpiryTime cleared", () => {
  const m = withStatus(machine("m"), { phase: "Running" });
  m.status!.currentStatus!.preserveExpiryTime = timestamp(NOW + MIN);
  const s = terminatingStatus(m, NOW);
  assert.equal(s.currentStatus?.phase, "Terminating");
  assert.equal(s.currentStatus?.preserveExpiryTime, undefined);
  assert.equal(s.lastOperation?.description, DeleteStep.GetVMStatus);
  assert.equal(s.lastOperation?.type, "Delete");
});

Deno.test("VM status in the delete flow: per-code descriptions and retries; currentStatus untouched", () => {
  const m = terminating(DeleteStep.GetVMStatus);
  const found = vmStatusOutcome(m, { nodeName: "m" }, NOW);
  assert.equal(found.status.lastOperation?.description, DeleteStep.InitiateDrain);
  assert.deepEqual(found.status.currentStatus, m.status?.currentStatus);
  const nf = vmStatusOutcome(m, { error: new MachineError("NotFound", "gone") }, NOW);
  assert.equal(
    nf.status.lastOperation?.description,
    "VM was not found at provider. Moving forward to node drain. Initiate node drain",
  );
  assert.equal(nf.retryMs, SHORT_RETRY_MS);
  const unav = vmStatusOutcome(m, { error: new MachineError("Unavailable", "x") }, NOW);
  assert.equal(unav.status.lastOperation?.state, "Failed");
  assert.equal(unav.retryMs, SHORT_RETRY_MS);
  assert.equal(deletionStep({ ...m, status: unav.status }), "getVMStatus", "stays in the step");
  assert.equal(vmStatusOutcome(m, { error: new MachineError("PermissionDenied", "x") }, NOW).retryMs, MEDIUM_RETRY_MS);
  assert.equal(vmStatusOutcome(m, { error: new Error("undecodable") }, NOW).retryMs, LONG_RETRY_MS);
});

Deno.test("VM status without providerID: InvalidArgument and FailedPrecondition move on to drain instead of retrying forever", () => {
  const m = terminating(DeleteStep.GetVMStatus);
  const noID = { ...m, spec: { ...m.spec, providerID: undefined } };
  for (const code of ["InvalidArgument", "FailedPrecondition"] as const) {
    const out = vmStatusOutcome(noID, { error: new MachineError(code, "x") }, NOW);
    assert.equal(deletionStep({ ...noID, status: out.status }), "drain", code);
    assert.equal(out.status.lastOperation?.state, "Processing");
    assert.equal(out.retryMs, SHORT_RETRY_MS);
    // With a providerID the driver looked at the device itself: MCM's rule (stay, retry after 3 min) still holds.
    const withID = { ...m, spec: { ...m.spec, providerID: "equinixmetal://ny/7b0ba3d5-0000-4000-8000-000000000001" } };
    const kept = vmStatusOutcome(withID, { error: new MachineError(code, "x") }, NOW);
    assert.equal(deletionStep({ ...withID, status: kept.status }), "getVMStatus", code);
    assert.equal(kept.retryMs, MEDIUM_RETRY_MS);
  }
});

Deno.test("drain plan: normal with maxEvictRetries bounded by drain timeout / 20 s", () => {
  const m = terminating(DeleteStep.InitiateDrain);
  m.status!.conditions = conditions();
  const p = planDrain(m, "m", { drainTimeoutMs: 10 * MIN, maxEvictRetries: 360 }, NOW);
  assert.equal(p.mode, "normal");
  assert.equal(p.maxEvictRetries, 30);
  assert.equal(p.timeoutMs, 10 * MIN);
});

Deno.test("drain plan: no node name skips the drain", () => {
  const p = planDrain(
    terminating(DeleteStep.InitiateDrain),
    undefined,
    { drainTimeoutMs: MIN, maxEvictRetries: 3 },
    NOW,
  );
  assert.equal(p.mode, "skip");
  const out = drainOutcome(terminating(DeleteStep.InitiateDrain), p, { ok: true }, NOW);
  assert.equal(
    out.status.lastOperation?.description,
    `Skipping drain as nodeName is not a valid one for machine. ${DeleteStep.InitiateVMDeletion}`,
  );
});

Deno.test("drain plan: force-deletion label forces (timeout 1 min, 1 eviction)", () => {
  const m = terminating(DeleteStep.InitiateDrain);
  m.metadata.labels = { "force-deletion": "True" };
  const p = planDrain(m, "m", { drainTimeoutMs: 2 * 60 * MIN, maxEvictRetries: 360 }, NOW);
  assert.deepEqual([p.mode, p.timeoutMs, p.maxEvictRetries], ["force", MIN, 1]);
  m.metadata.labels = { "force-deletion": "false" };
  assert.equal(planDrain(m, "m", { drainTimeoutMs: 2 * 60 * MIN, maxEvictRetries: 360 }, NOW).mode, "normal");
});

Deno.test("drain plan: drain timeout since deletionTimestamp forces", () => {
  const m = terminating(DeleteStep.InitiateDrain);
  m.metadata = { ...m.metadata, deletionTimestamp: timestamp(NOW - 11 * MIN) };
  assert.equal(planDrain(m, "m", { drainTimeoutMs: 10 * MIN, maxEvictRetries: 30 }, NOW).mode, "force");
  assert.equal(planDrain(m, "m", { drainTimeoutMs: 12 * MIN, maxEvictRetries: 30 }, NOW).mode, "normal");
});

Deno.test("drain plan: NotReady or ReadonlyFilesystem for more than 5 min forces", () => {
  const m = terminating(DeleteStep.InitiateDrain);
  m.status!.conditions = conditions({ Ready: "False" }, 6 * MIN);
  assert.match(
    planDrain(m, "m", { drainTimeoutMs: 60 * MIN, maxEvictRetries: 3 }, NOW).reason,
    /NotReady for over 5min/,
  );
  m.status!.conditions = conditions({ Ready: "Unknown" }, 4 * MIN);
  assert.equal(planDrain(m, "m", { drainTimeoutMs: 60 * MIN, maxEvictRetries: 3 }, NOW).mode, "normal");
  m.status!.conditions = conditions({ ReadonlyFilesystem: "True" }, 6 * MIN);
  assert.match(planDrain(m, "m", { drainTimeoutMs: 60 * MIN, maxEvictRetries: 3 }, NOW).reason, /ReadonlyFilesystem/);
});

Deno.test("drain outcomes: success, force success, failure before and after timeout", () => {
  const m = terminating(DeleteStep.InitiateDrain);
  const normal = { mode: "normal" as const, reason: "", timeoutMs: MIN, maxEvictRetries: 3 };
  const force = { mode: "force" as const, reason: "", timeoutMs: MIN, maxEvictRetries: 1 };
  assert.equal(
    drainOutcome(m, normal, { ok: true }, NOW).status.lastOperation?.description,
    "Drain successful. Initiate VM deletion",
  );
  assert.equal(
    drainOutcome(m, force, { ok: true }, NOW).status.lastOperation?.description,
    "Force Drain successful. Delete Volume Attachments",
  );
  const failed = drainOutcome(m, normal, { error: "pdb" }, NOW);
  assert.equal(
    failed.status.lastOperation?.description,
    "Drain failed due to - pdb. Will retry in next sync. Initiate node drain",
  );
  assert.equal(failed.status.lastOperation?.state, "Failed");
  const forcedFail = drainOutcome(m, force, { error: "pdb" }, NOW);
  assert.match(
    forcedFail.status.lastOperation!.description!,
    /force deletion shall continue.*Delete Volume Attachments$/,
  );
  assert.equal(forcedFail.status.lastOperation?.state, "Processing");
  assert.deepEqual(failed.status.currentStatus, m.status?.currentStatus, "currentStatus preserved");
});

Deno.test("Terminating node condition: reason by phase, existing reason kept", () => {
  const c1 = terminatingCondition("Failed", undefined, NOW);
  assert.deepEqual([c1.type, c1.status, c1.reason, c1.message], [
    "Terminating",
    "True",
    "Unhealthy",
    "Machine Controller is terminating failed machine",
  ]);
  const c2 = terminatingCondition("Running", undefined, NOW);
  assert.equal(c2.reason, "ScaleDown");
  assert.equal(terminatingCondition("Terminating", c1, NOW).reason, "Unhealthy");
});

Deno.test("volume attachments: node gone or nothing attached moves on; live attachments wait", () => {
  const m = terminating(`Force Drain successful. ${DeleteStep.DelVolumesAttachments}`);
  const gone = volumeAttachmentOutcome(m, "m", undefined, 0, NOW);
  assert.ok("status" in gone && gone.status.lastOperation!.description!.endsWith(DeleteStep.InitiateVMDeletion));
  const none = volumeAttachmentOutcome(m, "m", { volumesAttached: 0 }, 3, NOW);
  assert.ok("status" in none);
  assert.deepEqual(volumeAttachmentOutcome(m, "m", { volumesAttached: 2 }, 1, NOW), { waitMs: SHORT_RETRY_MS });
  const done = volumeAttachmentOutcome(m, "m", { volumesAttached: 2 }, 0, NOW);
  assert.ok("status" in done && /No Live VolumeAttachments/.test(done.status.lastOperation!.description!));
});

Deno.test("VM deletion outcomes per code", () => {
  const m = terminating(DeleteStep.InitiateVMDeletion);
  const ok = deleteVMOutcome(m, { lastKnownState: "gone" }, NOW);
  assert.equal(ok.status.lastOperation?.description, "VM deletion was successful. Initiate node object deletion");
  assert.equal(ok.status.lastKnownState, "gone");
  const nf = deleteVMOutcome(m, { error: new MachineError("NotFound", "x") }, NOW);
  assert.equal(
    nf.status.lastOperation?.description,
    "VM not found. Continuing deletion flow. Initiate node object deletion",
  );
  const tr = deleteVMOutcome(m, { error: new MachineError("Unavailable", "503") }, NOW);
  assert.equal(tr.retryMs, SHORT_RETRY_MS);
  assert.match(
    tr.status.lastOperation!.description!,
    /However, will re-try in the next resync\. Initiate VM deletion$/,
  );
  const perm = deleteVMOutcome(m, { error: new MachineError("PermissionDenied", "403") }, NOW);
  assert.equal(perm.retryMs, LONG_RETRY_MS);
  assert.match(perm.status.lastOperation!.description!, /Aborting operation\. Initiate VM deletion$/);
  const und = deleteVMOutcome(m, { error: new Error("weird") }, NOW);
  assert.match(und.status.lastOperation!.description!, /^Error occurred while decoding machine error: weird\./);
});

Deno.test("node object deletion outcomes", () => {
  const m = terminating(DeleteStep.InitiateNodeDeletion);
  assert.equal(
    deleteNodeOutcome(m, "n1", "deleted", NOW).status.lastOperation?.description,
    'Deletion of Node Object "n1" is successful. Initiate machine object finalizer removal',
  );
  assert.match(deleteNodeOutcome(m, "n1", "notFound", NOW).status.lastOperation!.description!, /^No node object found/);
  assert.match(
    deleteNodeOutcome(m, undefined, "notFound", NOW).status.lastOperation!.description!,
    /^Label "node" not present/,
  );
  const failed = deleteNodeOutcome(m, "n1", { error: "503" }, NOW);
  assert.equal(failed.status.lastOperation?.state, "Failed");
  assert.equal(deletionStep({ ...m, status: failed.status }), "deleteNode");
});

Deno.test("bootstrap token at termination: left only by machines that never joined", () => {
  for (const phase of ["", "Pending", "CrashLoopBackOff", "Failed", "Available"]) {
    assert.equal(mayHoldBootstrapToken(withStatus(machine("m"), { phase })), true, phase);
  }
  for (const phase of ["Running", "Unknown"]) {
    assert.equal(mayHoldBootstrapToken(withStatus(machine("m"), { phase })), false, phase);
  }
  // Terminating already (the MachineSet wrote it): the phase before is gone; a node that reported Ready means joined.
  const terminating = withStatus(machine("m"), { phase: "Terminating" });
  assert.equal(mayHoldBootstrapToken(terminating), true, "no node conditions");
  terminating.status!.conditions = conditions({ Ready: "False" });
  assert.equal(mayHoldBootstrapToken(terminating), true, "node never Ready");
  terminating.status!.conditions = conditions();
  assert.equal(mayHoldBootstrapToken(terminating), false, "node was Ready");
});
