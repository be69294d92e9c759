/** Small object builders for the pure-function tests of the MachineDeployment simulation. */
import type { Machine, MachineDeployment, MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { deployment } from "./harness.ts";

let counter = 0;

/** A machine in `phase` (creation times increase with each call unless given). */
export function machine(name: string, phase: string, extra: Partial<Machine["metadata"]> = {}): Machine {
  counter++;
  return {
    metadata: {
      name,
      namespace: "ns",
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
      labels: { name: "md" },
      ownerReferences: [{
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "MachineSet",
        name: "set",
        uid: "set-uid",
        controller: true,
      }],
      ...extra,
    },
    spec: { class: { kind: "MachineClass", name: "c" } },
    status: phase ? { currentStatus: { phase } } : undefined,
  };
}

/** A MachineSet with spec and status replicas. */
export function machineSet(
  name: string,
  replicas: number,
  available: number,
  opts: { created?: number; annotations?: Record<string, string>; className?: string; statusReplicas?: number } = {},
): MachineSet {
  return {
    metadata: {
      name,
      namespace: "ns",
      uid: `${name}-uid`,
      generation: 1,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, opts.created ?? 0)).toISOString(),
      annotations: opts.annotations,
    },
    spec: {
      replicas,
      selector: { matchLabels: { name: "md" } },
      template: {
        metadata: { labels: { name: "md" } },
        spec: { class: { kind: "MachineClass", name: opts.className ?? "c" } },
      },
    },
    status: {
      replicas: opts.statusReplicas ?? replicas,
      availableReplicas: available,
      readyReplicas: available,
      observedGeneration: 1,
    },
  };
}

/** A deployment `md` with a RollingUpdate strategy. */
export function rollingDeployment(
  replicas: number,
  maxSurge: number | string,
  maxUnavailable: number | string,
): MachineDeployment {
  const md = deployment("md", {
    replicas,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } },
  });
  return { ...md, metadata: { ...md.metadata, uid: "md-uid", generation: 1 } };
}
