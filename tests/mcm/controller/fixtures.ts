/** Builders of Machines, Nodes and classes for the machine-controller unit tests. */
import type { Machine, MachineClass, NodeCondition } from "../../../src/apis/machine/v1alpha1.ts";
import { MCM_FINALIZER } from "../../../src/apis/machine/v1alpha1.ts";
import type { Node } from "../../../src/k8s/api/builtin_types.ts";
import { withDefaults } from "../../../src/mcm/options.ts";
import { effectiveSettings } from "../../../src/mcm/controller/machine/timeouts.ts";
import { timestamp } from "../../../src/mcm/controller/machine/status.ts";

/** A fixed "now" for pure tests. */
export const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
export const MIN = 60_000;

/** A machine named `name` in namespace `shoot--a`, created `ageMs` before NOW, with the MCM finalizer. */
export function machine(name = "machine-0", patch: Partial<Machine> & { ageMs?: number } = {}): Machine {
  const { ageMs = MIN, ...rest } = patch;
  const m: Machine = {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: {
      name,
      namespace: "shoot--a",
      uid: `uid-${name}`,
      creationTimestamp: timestamp(NOW - ageMs),
      finalizers: [MCM_FINALIZER],
      labels: {},
      annotations: {},
    },
    spec: { class: { kind: "MachineClass", name: "class-a" } },
    status: {},
  };
  return { ...m, ...rest, metadata: { ...m.metadata, ...(rest.metadata ?? {}) } };
}

/** Returns a copy of the machine with phase, lastOperation and conditions set. */
export function withStatus(
  m: Machine,
  s: {
    phase?: string;
    phaseSinceMs?: number;
    op?: { description?: string; state?: string; type?: string };
    conditions?: NodeCondition[];
  },
): Machine {
  return {
    ...m,
    status: {
      ...(m.status ?? {}),
      currentStatus: s.phase !== undefined
        ? { phase: s.phase, lastUpdateTime: timestamp(NOW - (s.phaseSinceMs ?? 0)) }
        : m.status?.currentStatus,
      lastOperation: s.op ? { ...s.op, lastUpdateTime: timestamp(NOW - MIN) } : m.status?.lastOperation,
      conditions: s.conditions ?? m.status?.conditions,
    },
  };
}

/** Node conditions: Ready plus the usual pressure conditions, all healthy unless overridden. */
export function conditions(overrides: Record<string, string> = {}, transitionAgoMs = MIN): NodeCondition[] {
  const base: Record<string, string> = {
    Ready: "True",
    MemoryPressure: "False",
    DiskPressure: "False",
    PIDPressure: "False",
    NetworkUnavailable: "False",
    KernelDeadlock: "False",
    ReadonlyFilesystem: "False",
    ...overrides,
  };
  return Object.entries(base).map(([type, status]) => ({
    type,
    status,
    lastTransitionTime: timestamp(NOW - transitionAgoMs),
    lastHeartbeatTime: timestamp(NOW),
  }));
}

/** A node with the given conditions and taints. */
export function node(name: string, conds: NodeCondition[], extra: Partial<Node> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, creationTimestamp: timestamp(NOW - MIN), labels: {}, annotations: {}, resourceVersion: "7" },
    spec: { providerID: `equinixmetal://${name}`, taints: [] },
    status: { conditions: conds },
    ...extra,
  };
}

export function machineClass(name = "class-a", patch: Partial<MachineClass> = {}): MachineClass {
  return {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineClass",
    metadata: { name, namespace: "shoot--a", finalizers: [MCM_FINALIZER] },
    provider: "EquinixMetal",
    providerSpec: { metro: "ny" },
    secretRef: { name: "class-secret", namespace: "shoot--a" },
    ...patch,
  };
}

export const defaults = withDefaults({ namespace: "shoot--a" });

/** Effective settings of a machine under the default flags. */
export function settingsOf(m: Machine) {
  return effectiveSettings(m, defaults);
}
