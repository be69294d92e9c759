/**
 * SIMULATION of gardenlet's side of the machine-state contract (Gardener's `pkg/utils/gardener/shootstate/machines.go`):
 * before a migration gardenlet records, per MachineDeployment, its replicas and its MachineSets and Machines — their
 * metadata reduced to name, namespace, labels (a Machine's `node` label among them) and annotations, their status
 * dropped — and hands it to the Worker's restore as `status.state`: JSON `{"state": "<base64 of the gzip of
 * {"machineDeployments": {<name>: {replicas, machineSets[], machines[]}}}>"}`. gardenlet's own encoder: the
 * simulation does not use the extension's decoder. Pure.
 */
import { gzipSync } from "node:zlib";
import { type Machine, type MachineDeployment, type MachineSet } from "../../apis/machine/v1alpha1.ts";
import { controllerOf, type KubeObject } from "../../k8s/api/objects.ts";
import { encodeBase64 } from "../../runtime/base64.ts";

/** A machine object as the state keeps it. */
export interface StoredMachineObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

/** The recorded state of one MachineDeployment. */
export interface RecordedMachineDeployment {
  replicas?: number;
  machineSets: StoredMachineObject[];
  machines: StoredMachineObject[];
}

/** Recorded MachineDeployments by name. */
export type RecordedMachineState = Record<string, RecordedMachineDeployment>;

function stored(o: KubeObject): StoredMachineObject {
  const m = o.metadata;
  const metadata: StoredMachineObject["metadata"] = { name: m.name!, namespace: m.namespace };
  if (m.labels && Object.keys(m.labels).length) metadata.labels = { ...m.labels };
  if (m.annotations && Object.keys(m.annotations).length) metadata.annotations = { ...m.annotations };
  return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: structuredClone((o as { spec?: unknown }).spec) };
}

/**
 * The machine state of a namespace's machine objects: each MachineSet under the MachineDeployment that controls it,
 * each Machine under its MachineSet's deployment; objects without such an owner are not recorded (gardenlet's rule).
 */
export function recordMachineState(
  deployments: readonly MachineDeployment[],
  machineSets: readonly MachineSet[],
  machines: readonly Machine[],
): RecordedMachineState {
  const out: RecordedMachineState = {};
  for (const d of deployments) {
    out[d.metadata.name!] = { replicas: d.spec?.replicas ?? 0, machineSets: [], machines: [] };
  }
  const deploymentOfSet = new Map<string, string>();
  for (const s of machineSets) {
    const owner = controllerOf(s);
    const entry = owner?.kind === "MachineDeployment" ? out[owner.name] : undefined;
    if (!entry) continue;
    deploymentOfSet.set(s.metadata.name!, owner!.name);
    entry.machineSets.push(stored(s));
  }
  for (const m of machines) {
    const owner = controllerOf(m);
    const deployment = owner?.kind === "MachineSet" ? deploymentOfSet.get(owner.name) : undefined;
    if (!deployment) continue;
    out[deployment].machines.push(stored(m));
  }
  return out;
}

/** How many Machines a recorded state holds. */
export function recordedMachines(state: RecordedMachineState): number {
  return Object.values(state).reduce((n, d) => n + d.machines.length, 0);
}

/** The Worker's `status.state` for a restore: `{"state": base64(gzip(JSON))}`. */
export function encodeWorkerState(state: RecordedMachineState): { state: string } {
  const json = JSON.stringify({ machineDeployments: state });
  return { state: encodeBase64(gzipSync(new TextEncoder().encode(json))) };
}
