/**
 * The library's single checks as pure functions: the nodes check (unmanaged nodes ignored, cordoned nodes not ready,
 * scale-down while cordoned nodes drain, a cordoned node without a deleted machine, MachineDeployment health) and the
 * Deployment and ManagedResource checks.
 */
import assert from "node:assert/strict";
import {
  checkDeployment,
  checkManagedResource,
  checkNodes,
  DEFAULT_NODE_THRESHOLDS,
} from "../../../src/extension/generichealthcheck/mod.ts";
import type { Machine, MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import type { Deployment, Node } from "../../../src/k8s/api/builtin_types.ts";
import { availableStatus, machineDeployment, node } from "./harness.ts";

const NS = "shoot--p--s";
const md = (replicas: number, status: Record<string, unknown> = availableStatus(replicas)): MachineDeployment => ({
  ...machineDeployment("pool-a", replicas),
  metadata: { name: "pool-a", namespace: NS, generation: 1 },
  status,
});
const machine = (name: string, nodeName: string, deleting = false): Machine =>
  ({
    metadata: {
      name,
      namespace: NS,
      labels: { node: nodeName },
      ...(deleting ? { deletionTimestamp: "2026-11-21T00:00:00Z" } : {}),
    },
    spec: {},
    status: { currentStatus: { phase: deleting ? "Terminating" : "Running" } },
  }) as unknown as Machine;
const unmanaged = (n: Node): Node => ({
  ...n,
  metadata: { ...n.metadata, annotations: { "node.machine.sapcloud.io/not-managed-by-mcm": "1" } },
});

Deno.test("nodes check: ready nodes = desired → True; unmanaged nodes do not count", () => {
  const nodes = [node("a"), node("b"), unmanaged(node("x", false))];
  assert.deepEqual(checkNodes({ machineDeployments: [md(2)], nodes, machines: [] }, NS), { status: "True" });
});

Deno.test("nodes check: a surplus cordoned node of a deleted machine is draining → Progressing (scale-down threshold)", () => {
  const nodes = [node("a"), node("b"), node("c", true, true)];
  const machines = [machine("m-a", "a"), machine("m-b", "b"), machine("m-c", "c", true)];
  const r = checkNodes({ machineDeployments: [md(2)], nodes, machines }, NS);
  assert.equal(r.status, "Progressing");
  assert.equal(r.progressingThresholdMs, DEFAULT_NODE_THRESHOLDS.scaleDownMs);
  assert.match(r.detail!, /^1 machine is waiting to be completely drained from pods/);
  // The same cordoned node whose machine is not being deleted: unhealthy.
  const stuck = checkNodes({
    machineDeployments: [md(2)],
    nodes,
    machines: [...machines.slice(0, 2), machine("m-c", "c")],
  }, NS);
  assert.deepEqual(stuck, {
    status: "False",
    detail: 'cordoned node "c" found but corresponding machine object does not have a deletion timestamp',
  });
});

Deno.test("nodes check: too few machine objects, a bad machine phase, an unhealthy deployment → False", () => {
  assert.equal(
    checkNodes({ machineDeployments: [md(2)], nodes: [node("a")], machines: [machine("m-a", "a")] }, NS).detail,
    "not enough machine objects created yet (1/2)",
  );
  const crashed = { ...machine("m-b", "b"), status: { currentStatus: { phase: "CrashLoopBackOff" } } } as Machine;
  assert.equal(
    checkNodes({ machineDeployments: [md(2)], nodes: [node("a")], machines: [machine("m-a", "a"), crashed] }, NS)
      .detail,
    "1 machine is erroneous",
  );
  const unavailable = md(1, {
    ...availableStatus(1),
    conditions: [{ type: "Available", status: "False", message: "x" }],
  });
  const r = checkNodes({ machineDeployments: [unavailable], nodes: [node("a")], machines: [] }, NS);
  assert.equal(r.status, "False");
  assert.match(r.detail!, /^machine deployment "pool-a" in namespace "shoot--p--s" is unhealthy: condition Available/);
});

Deno.test("deployment and managed resource checks: missing → False 'not found'; healthy → True; progressing MR", () => {
  assert.deepEqual(checkDeployment(undefined, "cloud-controller-manager", NS), {
    status: "False",
    detail: `deployment "cloud-controller-manager" in namespace "${NS}" not found`,
  });
  const d = {
    metadata: { name: "cloud-controller-manager", namespace: NS, generation: 2 },
    spec: { replicas: 1 },
    status: {
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }],
    },
  } as unknown as Deployment;
  assert.deepEqual(checkDeployment(d, "cloud-controller-manager", NS), { status: "True" });
  const old = { ...d, status: { ...d.status, observedGeneration: 1 } } as Deployment;
  assert.match(checkDeployment(old, "cloud-controller-manager", NS).detail!, /observed generation outdated \(1\/2\)/);

  const mr = (progressing: string) => ({
    metadata: { name: "extension-controlplane-shoot", namespace: NS, generation: 1 },
    status: {
      observedGeneration: 1,
      conditions: [
        { type: "ResourcesApplied", status: "True" },
        { type: "ResourcesHealthy", status: "True" },
        { type: "ResourcesProgressing", status: progressing, message: "rolling" },
      ],
    },
  });
  assert.deepEqual(checkManagedResource(mr("False"), "extension-controlplane-shoot", NS), { status: "True" });
  assert.equal(checkManagedResource(mr("True"), "extension-controlplane-shoot", NS, 60_000).status, "Progressing");
  assert.equal(checkManagedResource(undefined, "x", NS).detail, `managed resource "x" in namespace "${NS}" not found`);
});
