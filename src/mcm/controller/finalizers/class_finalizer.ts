/**
 * MachineClass finalizer (MCM machineclass.go): a class used by at least one Machine carries the finalizer
 * `machine.sapcloud.io/machine-controller-manager`, so it cannot disappear under its machines; a deleting class
 * keeps it while machines still use it, and loses it when none do. Pure.
 */
import { type Machine, MACHINE_CLASS_KIND, type MachineClass, MCM_FINALIZER } from "../../../apis/machine/v1alpha1.ts";

/** True when the machine's `spec.class` refers to this MachineClass. */
export function machineUsesClass(machine: Machine, className: string): boolean {
  const cls = machine.spec?.class;
  return cls?.name === className && (cls.kind ?? MACHINE_CLASS_KIND) === MACHINE_CLASS_KIND;
}

export type ClassFinalizerAction =
  | { kind: "none" }
  | { kind: "add" }
  | { kind: "remove" }
  /** Deleting but still in use: wait (and say by whom). */
  | { kind: "blocked"; machines: string[] };

/** Decides the finalizer action for a class given the machines of its namespace. */
export function classFinalizerAction(cls: MachineClass, machines: Machine[]): ClassFinalizerAction {
  const users = machines.filter((m) => machineUsesClass(m, cls.metadata.name!));
  const has = cls.metadata.finalizers?.includes(MCM_FINALIZER) ?? false;
  if (cls.metadata.deletionTimestamp) {
    if (users.length) return { kind: "blocked", machines: users.map((m) => m.metadata.name!) };
    return has ? { kind: "remove" } : { kind: "none" };
  }
  if (users.length && !has) return { kind: "add" };
  return { kind: "none" };
}

/** True if a MachineClass changed outside its metadata (what its machines are built from; not our finalizer). */
export function classContentChanged(o: MachineClass, n: MachineClass): boolean {
  return JSON.stringify({ ...o, metadata: undefined }) !== JSON.stringify({ ...n, metadata: undefined });
}
