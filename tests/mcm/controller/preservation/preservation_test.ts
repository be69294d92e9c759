import assert from "node:assert/strict";
import {
  ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE,
  ANNOTATION_PRESERVE,
  type Machine,
  TAINT_PRESERVED,
} from "../../../../src/apis/machine/v1alpha1.ts";
import type { Node } from "../../../../src/k8s/api/builtin_types.ts";
import { timestamp } from "../../../../src/mcm/controller/machine/status.ts";
import {
  ANNOTATION_CA_SCALE_DOWN_DISABLED,
  ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM,
  effectivePreserveValue,
  machinePreservationChanged,
  MESSAGE_DRAIN_SUCCESSFUL,
  MESSAGE_DRAIN_UNSUCCESSFUL,
  NODE_CONDITION_PRESERVED,
  planPreservation,
  preservedCondition,
  preservedDrainPlan,
  REASON_PRESERVATION_STOPPED,
  REASON_PRESERVED_BY_MCM,
  REASON_PRESERVED_BY_USER,
} from "../../../../src/mcm/controller/preservation/preservation.ts";
import { computeHealth } from "../../../../src/mcm/controller/health/health.ts";
import { conditions, machine, MIN, node, NOW, settingsOf, withStatus } from "../fixtures.ts";

const HOUR = 60 * MIN;
const TIMEOUT = 96 * HOUR;

interface Setup {
  phase?: string;
  machineValue?: string;
  nodeValue?: string;
  lastApplied?: string;
  /** Expiry relative to NOW. */
  expiryInMs?: number;
  /** false: no node label; "missing": label set, Node gone. */
  node?: boolean | "missing";
  nodeCondition?: { status: string; message?: string; reason?: string };
  taint?: boolean;
  caByUs?: boolean;
}

function setup(s: Setup): { machine: Machine; node: Node | undefined } {
  const annotations: Record<string, string> = {};
  if (s.machineValue !== undefined) annotations[ANNOTATION_PRESERVE] = s.machineValue;
  if (s.lastApplied !== undefined) annotations[ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE] = s.lastApplied;
  let m = machine("m", {
    metadata: { name: "m", namespace: "shoot--a", labels: s.node === false ? {} : { node: "m" }, annotations },
  });
  m = withStatus(m, { phase: s.phase ?? "Failed", phaseSinceMs: MIN, conditions: conditions() });
  if (s.expiryInMs !== undefined) {
    m.status!.currentStatus!.preserveExpiryTime = timestamp(NOW + s.expiryInMs);
  }
  if (s.node === false || s.node === "missing") return { machine: m, node: undefined };
  const nodeAnnotations: Record<string, string> = {};
  if (s.nodeValue !== undefined) nodeAnnotations[ANNOTATION_PRESERVE] = s.nodeValue;
  if (s.caByUs) {
    nodeAnnotations[ANNOTATION_CA_SCALE_DOWN_DISABLED] = "true";
    nodeAnnotations[ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM] = "true";
  }
  const conds = conditions();
  if (s.nodeCondition) conds.push({ type: NODE_CONDITION_PRESERVED, ...s.nodeCondition });
  const n = node("m", conds, s.taint ? { spec: { taints: [{ key: TAINT_PRESERVED, effect: "NoSchedule" }] } } : {});
  n.metadata.annotations = nodeAnnotations;
  return { machine: m, node: n };
}

function plan(s: Setup) {
  return planPreservation({ ...setup(s), now: NOW, timeoutMs: TIMEOUT });
}

const EXPIRY = timestamp(NOW + TIMEOUT);

Deno.test("effectivePreserveValue: the Node's value wins once present or applied; a missing Node leaves the Machine's", () => {
  const table: Array<[string, string, string, boolean, string]> = [
    ["now", "", "", false, "now"],
    ["now", "when-failed", "", false, "when-failed"],
    ["now", "", "when-failed", false, ""], // the Node's annotation was removed: stop
    ["now", "", "when-failed", true, "now"], // Node gone: the Machine's value
    ["", "false", "now", false, "false"],
  ];
  for (const [mv, nv, last, missing, want] of table) {
    assert.equal(effectivePreserveValue(mv, nv, last, missing), want, JSON.stringify([mv, nv, last, missing]));
  }
});

// Which action each (value, phase, expiry) takes (MCM manageMachinePreservation's switch).
const actionTable: Array<[string, Setup, "none" | "preserve" | "stop", boolean]> = [
  ["no annotation, no expiry", { phase: "Failed" }, "none", false],
  ["when-failed on a Running machine", { machineValue: "when-failed", phase: "Running" }, "stop", false],
  ["when-failed on a Failed machine", { machineValue: "when-failed" }, "preserve", false],
  [
    "when-failed, recovered to Running",
    { machineValue: "when-failed", phase: "Running", expiryInMs: HOUR },
    "stop",
    false,
  ],
  ["when-failed, expired", { machineValue: "when-failed", expiryInMs: -1 }, "stop", true],
  ["now on a Running machine", { machineValue: "now", phase: "Running" }, "preserve", false],
  ["now, expired", { machineValue: "now", phase: "Running", expiryInMs: 0 }, "stop", true],
  ["auto-preserved on a Failed machine", { machineValue: "auto-preserved" }, "preserve", false],
  ["auto-preserved, recovered", { machineValue: "auto-preserved", phase: "Running", expiryInMs: HOUR }, "stop", true],
  ["false on a preserved machine", { machineValue: "false", expiryInMs: HOUR }, "stop", false],
  ["annotation removed, expiry left", { expiryInMs: HOUR }, "stop", false],
  ["invalid Machine value is ignored", { machineValue: "yes" }, "none", false],
];
for (const [name, s, action, removesAnnotations] of actionTable) {
  Deno.test(`planPreservation: ${name} → ${action}`, () => {
    const p = plan(s);
    assert.equal(p.action, action);
    const removed = p.machineAnnotations?.[ANNOTATION_PRESERVE] === null &&
      p.machineAnnotations?.[ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE] === null;
    assert.equal(removed, removesAnnotations);
  });
}

Deno.test("planPreservation: an invalid Node value skips preservation altogether", () => {
  const p = plan({ machineValue: "now", nodeValue: "forever", expiryInMs: HOUR });
  assert.equal(p.action, "none");
  assert.match(p.warning!, /"forever" on node m is invalid/);
});

Deno.test("planPreservation: a Failed machine gets the expiry, the autoscaler annotations, the taint and a drain; requeued at the expiry", () => {
  const p = plan({ machineValue: "when-failed" });
  assert.equal(p.expiry, EXPIRY);
  assert.deepEqual(p.node?.annotations, {
    [ANNOTATION_CA_SCALE_DOWN_DISABLED]: "true",
    [ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM]: "true",
  });
  assert.deepEqual(p.node?.taints?.map((t) => [t.key, t.effect]), [[TAINT_PRESERVED, "NoSchedule"]]);
  assert.ok(p.drain);
  assert.equal(p.condition, undefined, "the condition follows the drain's outcome");
  assert.equal(p.requeueMs, TIMEOUT + 1000);
});

Deno.test("the preserve timeout: spec.machinePreserveTimeout wins over --machine-preserve-timeout (96h)", () => {
  assert.equal(settingsOf(machine("m")).preserveTimeoutMs, TIMEOUT);
  const own = machine("m", { spec: { class: { kind: "MachineClass", name: "c" }, machinePreserveTimeout: "1h0m0s" } });
  assert.equal(settingsOf(own).preserveTimeoutMs, HOUR);
  const p = planPreservation({ ...setup({ machineValue: "now", phase: "Running" }), now: NOW, timeoutMs: HOUR });
  assert.equal(p.expiry, timestamp(NOW + HOUR));
});

Deno.test("planPreservation: a preserved Running machine (now) is not drained nor tainted; its condition says until when", () => {
  const p = plan({ nodeValue: "now", phase: "Running" });
  assert.equal(p.action, "preserve");
  assert.equal(p.drain, undefined);
  assert.equal(p.node?.taints, undefined);
  assert.equal(p.condition?.status, "True");
  assert.equal(p.condition?.reason, REASON_PRESERVED_BY_USER);
  assert.equal(p.condition?.message, `Machine preserved until ${EXPIRY}.`);
  // The Node is in control: the Machine remembers the applied value.
  assert.deepEqual(p.machineAnnotations, {
    [ANNOTATION_PRESERVE]: null,
    [ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE]: "now",
  });
});

Deno.test("planPreservation: a Running preserved machine whose node still carries the taint gets it removed", () => {
  const p = plan({ machineValue: "now", phase: "Running", expiryInMs: HOUR, taint: true });
  assert.deepEqual(p.node?.taints, []);
});

Deno.test("planPreservation: completed preservation (condition True, drained) writes nothing", () => {
  const p = plan({
    machineValue: "when-failed",
    expiryInMs: HOUR,
    taint: true,
    caByUs: true,
    nodeCondition: { status: "True", message: `${MESSAGE_DRAIN_SUCCESSFUL} x`, reason: REASON_PRESERVED_BY_USER },
  });
  assert.equal(p.action, "preserve");
  assert.deepEqual(
    [p.expiry, p.node, p.drain, p.condition, p.machineAnnotations],
    [undefined, undefined, undefined, undefined, undefined],
  );
  assert.equal(p.requeueMs, HOUR + 1000);
});

Deno.test("planPreservation: a machine without node only gets its expiry", () => {
  const p = plan({ machineValue: "now", node: false, phase: "Running" });
  assert.deepEqual(p, { action: "preserve", value: "now", expiry: EXPIRY, requeueMs: TIMEOUT + 1000 });
});

Deno.test("planPreservation: stopping (false) sets the condition False, removes taint and our autoscaler annotations, clears the expiry", () => {
  const p = plan({
    machineValue: "false",
    expiryInMs: HOUR,
    taint: true,
    caByUs: true,
    nodeCondition: { status: "True", message: "m", reason: REASON_PRESERVED_BY_USER },
  });
  assert.equal(p.action, "stop");
  assert.equal(p.condition?.status, "False");
  assert.equal(p.condition?.reason, REASON_PRESERVATION_STOPPED);
  assert.deepEqual(p.node?.annotations, {
    [ANNOTATION_CA_SCALE_DOWN_DISABLED]: null,
    [ANNOTATION_CA_SCALE_DOWN_DISABLED_BY_MCM]: null,
  });
  assert.deepEqual(p.node?.taints, []);
  assert.equal(p.expiry, null);
  assert.equal(p.machineAnnotations, undefined, "the user's false stays");
});

Deno.test("planPreservation: an autoscaler annotation someone else set stays when preservation stops", () => {
  const { machine: m, node: n } = setup({ machineValue: "false", expiryInMs: HOUR });
  n!.metadata.annotations![ANNOTATION_CA_SCALE_DOWN_DISABLED] = "true";
  const p = planPreservation({ machine: m, node: n, now: NOW, timeoutMs: TIMEOUT });
  assert.equal(p.node?.annotations?.[ANNOTATION_CA_SCALE_DOWN_DISABLED], undefined);
});

Deno.test("planPreservation: on expiry the preserve annotations go (Machine and Node); a still Failed machine keeps its past expiry so the MachineSet deletes it", () => {
  const failed = plan({ nodeValue: "when-failed", lastApplied: "when-failed", expiryInMs: -MIN, taint: true });
  assert.equal(failed.action, "stop");
  assert.equal(failed.expiry, undefined, "expiry left in the past");
  assert.equal(failed.node?.annotations?.[ANNOTATION_PRESERVE], null);
  assert.deepEqual(failed.machineAnnotations, {
    [ANNOTATION_PRESERVE]: null,
    [ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE]: null,
  });
  const running = plan({ machineValue: "now", phase: "Running", expiryInMs: -MIN });
  assert.equal(running.expiry, null, "a Running machine is simply no longer preserved");
});

Deno.test("planPreservation: stopping a machine that was never preserved writes nothing (annotation kept)", () => {
  const p = plan({ machineValue: "auto-preserved", phase: "Running" });
  assert.deepEqual(p, { action: "stop", value: "auto-preserved" });
});

Deno.test("preservedCondition: Failed → True once drained, False while the drain fails; reason by who preserved", () => {
  const ok = preservedCondition("Failed", EXPIRY, "auto-preserved", undefined, undefined, NOW)!;
  assert.equal(ok.status, "True");
  assert.equal(ok.reason, REASON_PRESERVED_BY_MCM);
  assert.equal(ok.message, `${MESSAGE_DRAIN_SUCCESSFUL} Machine preserved until ${EXPIRY}.`);
  const bad = preservedCondition("Failed", EXPIRY, "when-failed", "pod x: timeout", undefined, NOW)!;
  assert.equal(bad.status, "False");
  assert.equal(bad.reason, REASON_PRESERVED_BY_USER);
  assert.match(bad.message!, new RegExp(`^${MESSAGE_DRAIN_UNSUCCESSFUL}`));
  assert.equal(
    preservedCondition("Failed", EXPIRY, "when-failed", undefined, ok, NOW)?.reason,
    REASON_PRESERVED_BY_USER,
  );
  assert.equal(preservedCondition("Failed", EXPIRY, "auto-preserved", undefined, ok, NOW), undefined, "unchanged");
});

Deno.test("preservedDrainPlan: normal within the drain timeout; forced by label, timeout or a NotReady node", () => {
  const settings = { drainTimeoutMs: 2 * HOUR, maxEvictRetries: 360 };
  const base = withStatus(machine("m"), { phase: "Failed", phaseSinceMs: MIN, conditions: conditions() });
  const normal = preservedDrainPlan(base, settings, NOW);
  assert.deepEqual([normal.force, normal.timeoutMs, normal.maxEvictRetries], [false, 2 * HOUR, 360]);
  const labelled = { ...base, metadata: { ...base.metadata, labels: { "force-drain": "True" } } };
  assert.equal(preservedDrainPlan(labelled, settings, NOW).force, true);
  assert.equal(preservedDrainPlan(base, settings, NOW + 3 * HOUR).force, true);
  const notReady = withStatus(base, { conditions: conditions({ Ready: "False" }, 6 * MIN) });
  assert.equal(preservedDrainPlan(notReady, settings, NOW).force, true);
});

Deno.test("machinePreservationChanged: the annotation, or the phase of an annotated machine", () => {
  const m = withStatus(machine("m"), { phase: "Unknown" });
  const failed = withStatus(m, { phase: "Failed" });
  assert.equal(machinePreservationChanged(m, failed), false, "not annotated");
  const annotated = (x: Machine) => ({
    ...x,
    metadata: { ...x.metadata, annotations: { [ANNOTATION_PRESERVE]: "when-failed" } },
  });
  assert.equal(machinePreservationChanged(m, annotated(m)), true);
  assert.equal(machinePreservationChanged(annotated(m), annotated(failed)), true);
  assert.equal(machinePreservationChanged(annotated(m), annotated(m)), false);
});

Deno.test("health keeps a machine's preservation through its phase changes", () => {
  const m = withStatus(machine("m"), { phase: "Running", conditions: conditions() });
  m.status!.currentStatus!.preserveExpiryTime = EXPIRY;
  const n = node("m", conditions({ Ready: "False" }));
  const d = computeHealth(m, n, settingsOf(m), NOW);
  assert.equal(d.status?.currentStatus?.phase, "Unknown");
  assert.equal(d.status?.currentStatus?.preserveExpiryTime, EXPIRY);
});
