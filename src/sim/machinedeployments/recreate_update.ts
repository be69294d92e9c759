/**
 * SIMULATION: the Recreate strategy as MCM's deployment controller runs it: every old set is scaled to 0 first; the
 * new set is created and scaled to `replicas` only once no old set reports or owns a machine any more. Pure.
 */
import type { MachineSet } from "../../apis/machine/v1alpha1.ts";
import { isActiveSet } from "./deployment_machine_sets.ts";
import type { ScaleStep } from "./rolling_update.ts";

/** Old sets still to be scaled to 0. */
export function recreateScaleDownSteps(oldSets: readonly MachineSet[]): ScaleStep[] {
  return oldSets.filter(isActiveSet).map((set) => ({ set, replicas: 0 }));
}

/** True while an old set reports machines or still owns some (`machinesOf` counts the machines a set owns). */
export function oldMachinesRunning(oldSets: readonly MachineSet[], machinesOf: (set: MachineSet) => number): boolean {
  return oldSets.some((s) => (s.status?.replicas ?? 0) > 0 || machinesOf(s) > 0);
}
