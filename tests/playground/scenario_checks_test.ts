/** The scenario's conditions and end checks (pure). */
import assert from "node:assert/strict";
import type { MachineDeployment } from "../../src/apis/machine/v1alpha1.ts";
import type { MachineView } from "../../src/playground/progress.ts";
import {
  allRunningProblem,
  deviceChanges,
  type DeviceView,
  duplicateDevicesProblem,
  leftoverDevicesProblem,
  liveDevices,
  liveDevicesOfShoots,
  oldDevicesProblem,
  replacedObjectsProblem,
  strayKeysProblem,
} from "../../src/playground/scenario_checks.ts";

const NS = new Set(["shoot--p--a"]);
const m = (name: string, phase?: string, ns = "shoot--p--a"): MachineView => ({
  metadata: { name, namespace: ns },
  status: phase ? { currentStatus: { phase } } : undefined,
});
const md = (replicas: number, ns = "shoot--p--a") =>
  ({
    metadata: { name: `${ns}-pool`, namespace: ns },
    spec: { replicas, template: {} },
  }) as unknown as MachineDeployment;
const dev = (hostname: string, state = "active", plan = "c3.small.x86", ns = "shoot--p--a"): DeviceView => ({
  id: `id-${hostname}-${state}`,
  hostname,
  state,
  plan,
  tags: [`kubernetes.io/cluster/${ns}`, "kubernetes.io/role/node"],
});

Deno.test("all Running: exactly the wanted number of machines, all Running; other shoots do not count", () => {
  assert.match(allRunningProblem([], [], NS)!, /no MachineDeployment yet/);
  assert.match(allRunningProblem([m("a", "Running"), m("b", "Pending")], [md(2)], NS)!, /1\/2 machines Running/);
  assert.match(
    allRunningProblem([m("a", "Running"), m("b", "Running"), m("c", "Running")], [md(2)], NS)!,
    /3\/2 machines Running \(3 machines: \{"Running":3\}\)/,
  );
  assert.equal(
    allRunningProblem([m("a", "Running"), m("b", "Running"), m("x", "Pending", "other")], [md(2), md(5, "other")], NS),
    undefined,
  );
});

Deno.test("one live device per machine: duplicates, missing devices and devices without machine are named", () => {
  const machines = [m("shoot--p--a-pool-1"), m("shoot--p--a-pool-2")];
  assert.equal(
    duplicateDevicesProblem(machines, [dev("shoot--p--a-pool-1"), dev("shoot--p--a-pool-2")], NS),
    undefined,
  );
  // a departing second device is not a duplicate
  assert.equal(
    duplicateDevicesProblem(machines, [
      dev("shoot--p--a-pool-1"),
      dev("shoot--p--a-pool-1", "deprovisioning"),
      dev("shoot--p--a-pool-2"),
    ], NS),
    undefined,
  );
  const p = duplicateDevicesProblem(machines, [
    dev("shoot--p--a-pool-1"),
    dev("shoot--p--a-pool-1", "queued"),
    dev("shoot--p--a-orphan"),
  ], NS)!;
  assert.match(p, /machine shoot--p--a-pool-1 has 2 live devices/);
  assert.match(p, /machine shoot--p--a-pool-2 has 0 live devices/);
  assert.match(p, /\(shoot--p--a-orphan\) belong to no machine/);
  assert.equal(
    duplicateDevicesProblem([], [dev("x", "active", "c3", "other")], NS),
    undefined,
    "other shoots' devices",
  );
});

Deno.test("rolled pool: no live device of the old type; nothing left after deletion", () => {
  const devices = [
    dev("shoot--p--a-pool-a-z1-1", "active", "m3.small.x86"),
    dev("shoot--p--a-pool-a-z1-2", "deprovisioning"),
  ];
  assert.equal(oldDevicesProblem(devices, "shoot--p--a", "pool-a", "c3.small.x86"), undefined);
  assert.match(
    oldDevicesProblem([...devices, dev("shoot--p--a-pool-a-z1-3")], "shoot--p--a", "pool-a", "c3.small.x86")!,
    /1 device\(s\) of pool pool-a in shoot--p--a still run c3\.small\.x86/,
  );
  assert.equal(leftoverDevicesProblem([dev("a", "deprovisioning"), dev("b", "deleted")], NS), undefined);
  assert.match(leftoverDevicesProblem([dev("a", "queued")], NS)!, /1 device\(s\) left: a \(id-a-queued, queued\)/);
  assert.equal(liveDevices([dev("a", "failed"), dev("b", "deprovisioning")]).length, 1, "failed devices still exist");
});

Deno.test("the live devices of the shoots: by the cluster tag, gone states excluded (the reports' device counts)", () => {
  const devices = [
    dev("a"),
    dev("b", "deprovisioning"),
    dev("c", "failed"),
    dev("d", "active", "c3.small.x86", "other"),
  ];
  assert.deepEqual(liveDevicesOfShoots(devices, NS).map((d) => d.hostname), ["a", "c"]);
});

Deno.test("stray keys: a device of a shoot may carry only the keys its shoot asked for, gone devices included", () => {
  const keyed = (hostname: string, sshKeyIds: string[], state = "active", ns = "shoot--p--a") => ({
    ...dev(hostname, state, "c3.small.x86", ns),
    sshKeyIds,
  });
  const wanted = new Map([["shoot--p--a", new Set(["shoot-key"])]]);
  assert.equal(strayKeysProblem([keyed("a", ["shoot-key"]), keyed("b", [])], wanted, NS), undefined);
  // SSH access off: the shoot asked for no key (no entry, or an empty set): any key is stray.
  assert.equal(
    strayKeysProblem([keyed("a", ["operator"], "deleted")], new Map(), NS),
    "1 device(s) with SSH keys their shoot did not ask for: a (id-a-deleted) carries operator",
  );
  assert.equal(
    strayKeysProblem([keyed("a", ["shoot-key", "operator", "member"])], wanted, NS),
    "1 device(s) with SSH keys their shoot did not ask for: a (id-a-active) carries operator, member",
  );
  // Devices of other shoots are not this scenario's.
  assert.equal(strayKeysProblem([keyed("x", ["operator"], "active", "shoot--p--other")], wanted, NS), undefined);
  const many = Array.from({ length: 7 }, (_, i) => keyed(`h${i}`, ["operator"]));
  assert.match(strayKeysProblem(many, new Map(), NS)!, /^7 device\(s\) .*; … 2 more$/);
});

Deno.test("deviceChanges: ids only after are created, ids only before are deleted", () => {
  assert.deepEqual(deviceChanges(["a", "b"], ["a", "b"]), { created: [], deleted: [] });
  assert.deepEqual(deviceChanges(["a", "b"], ["b", "c"]), { created: ["c"], deleted: ["a"] });
});

Deno.test("replacedObjectsProblem: an object gone or with another uid after the migration is named", () => {
  const key = "ClusterRole system:cloud-controller-manager in shoot shoot--p--a";
  assert.equal(replacedObjectsProblem(new Map([[key, "u1"]]), new Map([[key, "u1"]])), undefined);
  assert.equal(replacedObjectsProblem(new Map([[key, "u1"]]), new Map()), `${key} was deleted`);
  assert.equal(
    replacedObjectsProblem(new Map([[key, "u1"]]), new Map([[key, "u2"]])),
    `${key} was re-created (uid u1 → u2)`,
  );
});
