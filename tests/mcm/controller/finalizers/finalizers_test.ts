import assert from "node:assert/strict";
import { classFinalizerAction } from "../../../../src/mcm/controller/finalizers/class_finalizer.ts";
import { secretFinalizerAction, secretsOfClass } from "../../../../src/mcm/controller/finalizers/secret_finalizer.ts";
import { MC_SECRET_FINALIZER } from "../../../../src/apis/machine/v1alpha1.ts";
import { nodeAction, nodeChangeAffectsMachine } from "../../../../src/mcm/controller/nodes/node_actions.ts";
import { conditions, machine, machineClass, node, NOW, withStatus } from "../fixtures.ts";
import { timestamp } from "../../../../src/mcm/controller/machine/status.ts";

Deno.test("class finalizer: added when used, kept while deleting and used, removed when unused", () => {
  const bare = machineClass("class-a", { metadata: { name: "class-a", namespace: "shoot--a" } });
  const user = machine("m1");
  assert.deepEqual(classFinalizerAction(bare, [user]), { kind: "add" });
  assert.deepEqual(classFinalizerAction(bare, []), { kind: "none" });
  const deleting = machineClass("class-a");
  deleting.metadata = { ...deleting.metadata, deletionTimestamp: timestamp(NOW) };
  assert.deepEqual(classFinalizerAction(deleting, [user]), { kind: "blocked", machines: ["m1"] });
  assert.deepEqual(
    classFinalizerAction(deleting, [machine("m2", { spec: { class: { kind: "MachineClass", name: "other" } } })]),
    {
      kind: "remove",
    },
  );
  const otherKind = machine("m3", { spec: { class: { kind: "AWSMachineClass", name: "class-a" } } });
  assert.deepEqual(classFinalizerAction(deleting, [otherKind]), { kind: "remove" });
});

Deno.test("secret finalizer: referenced by secretRef or credentialsSecretRef; removed when unreferenced", () => {
  const cls = machineClass("c", { credentialsSecretRef: { name: "cloudprovider", namespace: "shoot--a" } });
  assert.deepEqual(secretsOfClass(cls, "shoot--a"), ["class-secret", "cloudprovider"]);
  const s = { metadata: { name: "cloudprovider", namespace: "shoot--a" } };
  assert.equal(secretFinalizerAction(s, [cls], "shoot--a"), "add");
  const withF = { metadata: { ...s.metadata, finalizers: [MC_SECRET_FINALIZER] } };
  assert.equal(secretFinalizerAction(withF, [cls], "shoot--a"), "none");
  assert.equal(secretFinalizerAction(withF, [], "shoot--a"), "remove");
  const elsewhere = machineClass("c2", { secretRef: { name: "cloudprovider", namespace: "other" } });
  assert.equal(secretFinalizerAction(withF, [elsewhere], "shoot--a"), "remove");
});

Deno.test("node controller: node deletion deletes the machine; unmanaged nodes ignored", () => {
  const m = machine("m1", { metadata: { name: "m1", labels: { node: "m1" } } });
  const n = node("m1", conditions());
  assert.equal(nodeAction(n, [m], "m1").kind, "none", "the finalizer comes with the machine's node sync");
  const withF = { ...n, metadata: { ...n.metadata, finalizers: ["node.machine.sapcloud.io/machine-controller"] } };
  assert.equal(nodeAction(withF, [m], "m1").kind, "none");
  const deleting = { ...withF, metadata: { ...withF.metadata, deletionTimestamp: timestamp(NOW) } };
  assert.equal(nodeAction(deleting, [m], "m1").kind, "deleteMachine");
  assert.equal(nodeAction(undefined, [m], "m1").kind, "deleteMachine", "node delete event");
  assert.equal(nodeAction(deleting, [], "m1").kind, "removeFinalizer", "no machine: do not block the node");
  const ignored = {
    ...n,
    metadata: { ...n.metadata, annotations: { "node.machine.sapcloud.io/not-managed-by-mcm": "1" } },
  };
  assert.equal(nodeAction(ignored, [m], "m1").kind, "ignore");
  const dm = { ...m, metadata: { ...m.metadata, deletionTimestamp: timestamp(NOW) } };
  assert.equal(nodeAction(n, [dm], "m1").kind, "none", "no finalizer for a deleting machine");
});

Deno.test("node changes that matter to the machine: taint, conditions (not while CrashLoopBackOff/Terminating)", () => {
  const m = withStatus(machine("m1"), { phase: "Running", conditions: conditions() });
  const n = node("m1", conditions());
  assert.equal(nodeChangeAffectsMachine(n, n, m), false);
  const unhealthy = node("m1", conditions({ Ready: "False" }));
  assert.equal(nodeChangeAffectsMachine(n, unhealthy, m), true);
  assert.equal(nodeChangeAffectsMachine(n, unhealthy, withStatus(m, { phase: "Terminating" })), false);
  const tainted = node("m1", conditions(), {
    spec: { taints: [{ key: "node.gardener.cloud/critical-components-not-ready", effect: "NoSchedule" }] },
  });
  assert.equal(nodeChangeAffectsMachine(tainted, n, withStatus(m, { phase: "Pending" })), true);
});
