/**
 * gardenlet's machine state (simulation): what it records of a namespace's machine objects, and its encoding, read
 * back by the extension's decoder (the contract between gardenlet and the Worker's restore).
 */
import assert from "node:assert/strict";
import type { Machine, MachineDeployment, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { decodeMachineState } from "../../../src/extension/genericworker/machine_state.ts";
import { encodeWorkerState, recordedMachines, recordMachineState } from "../../../src/sim/gardenlet/mod.ts";

const NS = "shoot--p--a";
const owner = (kind: string, name: string) => [{
  apiVersion: "machine.sapcloud.io/v1alpha1",
  kind,
  name,
  uid: `uid-${name}`,
  controller: true,
}];
const md = (name: string, replicas: number) =>
  ({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineDeployment",
    metadata: { name, namespace: NS, uid: `uid-${name}` },
    spec: { replicas, template: {} },
  }) as unknown as MachineDeployment;
const ms = (name: string, deployment?: string) =>
  ({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineSet",
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: "7",
      labels: { name: deployment ?? "none" },
      ownerReferences: deployment ? owner("MachineDeployment", deployment) : undefined,
    },
    spec: { replicas: 1 },
    status: { replicas: 1 },
  }) as unknown as MachineSet;
const machine = (name: string, set?: string) =>
  ({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      finalizers: ["machine.sapcloud.io/machine-controller-manager"],
      labels: { node: name },
      annotations: { a: "b" },
      ownerReferences: set ? owner("MachineSet", set) : undefined,
    },
    spec: { providerID: `equinixmetal://da/${name}`, class: { kind: "MachineClass", name: "c" } },
    status: { currentStatus: { phase: "Running" } },
  }) as unknown as Machine;

Deno.test("recordMachineState: sets under their deployment, machines under their set's; status, uid and owners dropped", () => {
  const state = recordMachineState(
    [md("pool-a", 2), md("pool-b", 0)],
    [ms("pool-a-1", "pool-a"), ms("stray")],
    [machine("m1", "pool-a-1"), machine("m2", "pool-a-1"), machine("orphan")],
  );
  assert.deepEqual(Object.keys(state), ["pool-a", "pool-b"]);
  assert.equal(state["pool-a"].replicas, 2);
  assert.deepEqual(state["pool-a"].machineSets.map((s) => s.metadata.name), ["pool-a-1"]);
  assert.deepEqual(state["pool-a"].machines.map((m) => m.metadata.name), ["m1", "m2"]);
  assert.deepEqual(state["pool-b"], { replicas: 0, machineSets: [], machines: [] });
  assert.equal(recordedMachines(state), 2);
  const m1 = state["pool-a"].machines[0];
  assert.deepEqual(m1.metadata, { name: "m1", namespace: NS, labels: { node: "m1" }, annotations: { a: "b" } });
  assert.equal((m1 as { status?: unknown }).status, undefined);
  assert.deepEqual(m1.spec, { providerID: "equinixmetal://da/m1", class: { kind: "MachineClass", name: "c" } });
});

Deno.test("encodeWorkerState: the extension's decoder reads back every set and machine with its providerID", () => {
  const state = recordMachineState([md("pool-a", 2)], [ms("pool-a-1", "pool-a")], [
    machine("m1", "pool-a-1"),
    machine("m2", "pool-a-1"),
  ]);
  const encoded = encodeWorkerState(state);
  assert.deepEqual(Object.keys(encoded), ["state"]);
  const decoded = decodeMachineState(encoded, "shoot--p--b", "Worker shoot--p--b/a");
  const pool = decoded.get("pool-a")!;
  assert.equal(pool.replicas, 2);
  assert.deepEqual(pool.machineSets.map((s) => s.metadata.name), ["pool-a-1"]);
  assert.deepEqual(pool.machines.map((m) => [m.metadata.name, m.metadata.namespace, m.spec.providerID]), [
    ["m1", "shoot--p--b", "equinixmetal://da/m1"],
    ["m2", "shoot--p--b", "equinixmetal://da/m2"],
  ]);
});
