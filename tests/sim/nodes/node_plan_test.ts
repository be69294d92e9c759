import assert from "node:assert/strict";
import {
  CRITICAL_COMPONENTS_TAINT,
  nodeAddresses,
  nodeFor,
  planNodes,
  type SimNode,
  SIMULATED_NODE_LABEL,
  type SimulatedDevice,
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
  const plan = planNodes(
    [
      device("old"),
      device("fresh"),
      device("new"),
      device("booting", "provisioning"),
      device("gone", "deprovisioning"),
    ],
    existing,
    registered,
    NOW,
    opts,
  );
  assert.deepEqual(plan.create.map((n) => n.metadata.name), ["new"]);
  assert.deepEqual(plan.untaint, ["old"]);
  assert.deepEqual(plan.remove, ["gone"], "foreign nodes are never touched");
});

Deno.test("planNodes: a node of a replaced device (same hostname, other id) is removed; deleting nodes are left alone", () => {
  const n = nodeFor(device("m1", "active", "old-id"), NOW, opts);
  assert.deepEqual(planNodes([device("m1", "active", "new-id")], [n], new Map(), NOW, opts).remove, ["m1"]);
  const deleting = { ...n, metadata: { ...n.metadata, deletionTimestamp: new Date(NOW).toISOString() } };
  const plan = planNodes([device("m1", "active", "new-id")], [deleting], new Map(), NOW, opts);
  assert.deepEqual([plan.create.length, plan.remove.length], [0, 0], "no re-registration while the old one goes");
});

Deno.test("planNodes: a node registered but not yet seen by the informer is not created twice", () => {
  const plan = planNodes([device("m1")], [], new Map([["m1", NOW]]), NOW, opts);
  assert.equal(plan.create.length, 0);
});
