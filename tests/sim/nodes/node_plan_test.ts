import assert from "node:assert/strict";
import {
  CRITICAL_COMPONENTS_TAINT,
  nodeAddresses,
  nodeFor,
  planNodes,
  readyStatus,
  type SimNode,
  SIMULATED_NODE_LABEL,
  type SimulatedDevice,
  unreachablePatch,
} from "../../../src/sim/nodes/node_plan.ts";

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const device = (hostname: string, state = "active", id = `id-${hostname}`): SimulatedDevice => ({
  id,
  hostname,
  state,
  addresses: ["147.75.10.3/31", "10.68.1.5/31", "2604:1380:4641:a00::1/127"],
  metro: "ny",
  facility: "ny5",
  plan: "c3.small.x86",
});
const opts = { criticalComponentsTaintMs: 2000 };

Deno.test("nodeFor: Ready node with the CCM's providerID form, other conditions False, addresses from the device", () => {
  const n = nodeFor(device("m1"), NOW, opts);
  assert.equal(n.metadata.name, "m1");
  assert.equal(n.spec?.providerID, "equinixmetal://id-m1");
  assert.equal(n.metadata.labels?.[SIMULATED_NODE_LABEL], "true");
  assert.equal(n.metadata.labels?.["node.kubernetes.io/instance-type"], "c3.small.x86");
  assert.equal(n.metadata.labels?.["node.gardener.cloud/machine-name"], undefined, "the machine controller sets it");
  const conds = Object.fromEntries(n.status!.conditions!.map((c) => [c.type, c.status]));
  assert.equal(conds.Ready, "True");
  for (const [t, s] of Object.entries(conds)) if (t !== "Ready") assert.equal(s, "False", t);
  assert.deepEqual(n.spec?.taints, [{ key: CRITICAL_COMPONENTS_TAINT, effect: "NoSchedule" }]);
  assert.deepEqual(nodeFor(device("m1"), NOW, { criticalComponentsTaintMs: 0 }).spec?.taints, []);
});

Deno.test("nodeAddresses: private IPv4 internal, public and IPv6 external, hostname last", () => {
  assert.deepEqual(nodeAddresses(device("m1")), [
    { type: "InternalIP", address: "10.68.1.5" },
    { type: "ExternalIP", address: "147.75.10.3" },
    { type: "ExternalIP", address: "2604:1380:4641:a00::1" },
    { type: "Hostname", address: "m1" },
  ]);
});

Deno.test("planNodes: create for active devices only, untaint after the delay, remove when the device is gone", () => {
  const existing: SimNode[] = [
    { ...nodeFor(device("old"), NOW - 5000, opts) },
    { ...nodeFor(device("gone"), NOW - 5000, opts) },
    { ...nodeFor(device("fresh"), NOW - 500, opts) },
    { metadata: { name: "foreign" }, spec: {} },
  ];
  const registered = new Map([["old", NOW - 5000], ["gone", NOW - 5000], ["fresh", NOW - 500]]);
  const memory = { registeredAt: registered, silentSince: new Map<string, number>() };
  const plan = planNodes(
    [
      device("old"),
      device("fresh"),
      device("new"),
      device("booting", "provisioning"),
      device("gone", "deprovisioning"),
    ],
    existing,
    memory,
    NOW,
    opts,
  );
  assert.deepEqual(plan.create.map((n) => n.metadata.name), ["new"]);
  assert.deepEqual(plan.untaint, ["old"]);
  assert.deepEqual([plan.silent, plan.notReady, plan.remove], [["gone"], ["gone"], []], "foreign nodes untouched");
});

Deno.test("planNodes: the Node of a gone device stays Ready for the grace period, is then marked not Ready, and only a not-Ready one is removed", () => {
  const grace = { ...opts, nodeMonitorGraceMs: 40_000 };
  const node = nodeFor(device("m1"), NOW - 60_000, opts);
  const gone = [device("m1", "deprovisioning")];
  const at = (silentFor: number | undefined) => ({
    registeredAt: new Map<string, number>(),
    silentSince: new Map(silentFor === undefined ? [] : [["m1", NOW - silentFor]]),
  });
  const first = planNodes(gone, [node], at(undefined), NOW, grace);
  assert.deepEqual([first.silent, first.notReady, first.remove], [["m1"], [], []], "first seen silent");
  const early = planNodes(gone, [node], at(39_999), NOW, grace);
  assert.deepEqual([early.notReady, early.remove], [[], []]);
  const due = planNodes(gone, [node], at(40_000), NOW, grace);
  assert.deepEqual([due.notReady, due.remove], [["m1"], []]);
  const patch = unreachablePatch(node, NOW);
  const status = Object.fromEntries(patch.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
  assert.equal(status.Ready, "Unknown/NodeStatusUnknown");
  assert.equal(status.MemoryPressure, "Unknown/NodeStatusUnknown");
  assert.equal(status.NetworkUnavailable, "False/RouteCreated", "not the kubelet's condition");
  assert.deepEqual(patch.taints.map((t) => `${t.key}:${t.effect}`), [
    `${CRITICAL_COMPONENTS_TAINT}:NoSchedule`,
    "node.kubernetes.io/unreachable:NoSchedule",
    "node.kubernetes.io/unreachable:NoExecute",
  ]);
  const notReady: SimNode = { ...node, status: { ...node.status, conditions: patch.conditions } };
  assert.equal(readyStatus(notReady), "Unknown");
  const then = planNodes(gone, [notReady], at(50_000), NOW, grace);
  assert.deepEqual([then.silent, then.notReady, then.remove], [[], [], ["m1"]], "the CCM deletes it");
  const alive = planNodes([device("m1")], [notReady], at(undefined), NOW, grace);
  assert.deepEqual(alive.remove, [], "a not-Ready Node whose device is there is not the CCM's to delete");
});

Deno.test("planNodes: a node of a replaced device (same hostname, other id) goes not Ready, then is removed; deleting nodes are left alone", () => {
  const n = nodeFor(device("m1", "active", "old-id"), NOW, opts);
  const none = { registeredAt: new Map<string, number>(), silentSince: new Map<string, number>() };
  assert.deepEqual(planNodes([device("m1", "active", "new-id")], [n], none, NOW, opts).notReady, ["m1"]);
  const notReady = { ...n, status: { ...n.status, conditions: unreachablePatch(n, NOW).conditions } };
  assert.deepEqual(planNodes([device("m1", "active", "new-id")], [notReady], none, NOW, opts).remove, ["m1"]);
  const deleting = { ...n, metadata: { ...n.metadata, deletionTimestamp: new Date(NOW).toISOString() } };
  const plan = planNodes([device("m1", "active", "new-id")], [deleting], none, NOW, opts);
  assert.deepEqual([plan.create.length, plan.remove.length], [0, 0], "no re-registration while the old one goes");
});

Deno.test("planNodes: a node registered but not yet seen by the informer is not created twice", () => {
  const memory = { registeredAt: new Map([["m1", NOW]]), silentSince: new Map<string, number>() };
  const plan = planNodes([device("m1")], [], memory, NOW, opts);
  assert.equal(plan.create.length, 0);
});
