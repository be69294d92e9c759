/**
 * SIMULATION: one step of a RollingUpdate as MCM's deployment controller takes it (`rolloutRolling`). First the new
 * set: scaled up as far as `replicas + maxSurge` machines in total allow (never beyond `replicas`), or down if it is
 * above `replicas`; if that changes anything, the step ends there. Otherwise the old sets: nothing unless
 * `Σ spec.replicas - (replicas - maxUnavailable) - (unavailable machines of the new set)` is positive; then old sets
 * with unavailable machines are shrunk by those first (oldest set first), and then old sets are scaled down by as
 * many machines as are available beyond `replicas - maxUnavailable` (counting `status.availableReplicas` of all
 * sets). A new machine therefore replaces an old one only once it is available. Pure.
 */
import type { MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import { compareByCreation, isActiveSet, setReplicas } from "./deployment_machine_sets.ts";
import { desiredReplicas, isRollingUpdate, maxSurge, maxUnavailable } from "./rollout_limits.ts";

/** Set a MachineSet to `replicas` (also refreshes its desired/max replica annotations). */
export interface ScaleStep {
  set: MachineSet;
  replicas: number;
}

function sumReplicas(sets: readonly MachineSet[]): number {
  return sets.reduce((n, s) => n + setReplicas(s), 0);
}

function sumAvailable(sets: readonly MachineSet[]): number {
  return sets.reduce((n, s) => n + (s.status?.availableReplicas ?? 0), 0);
}

/** The size the new set may grow to now (MCM's `NewISNewReplicas`); Recreate: the full size. */
export function newSetTarget(md: MachineDeployment, allSets: readonly MachineSet[], newSet: MachineSet): number {
  const replicas = desiredReplicas(md);
  if (!isRollingUpdate(md)) return replicas;
  const maxTotal = replicas + maxSurge(md);
  const current = sumReplicas(allSets);
  if (current >= maxTotal) return setReplicas(newSet);
  return setReplicas(newSet) + Math.min(maxTotal - current, replicas - setReplicas(newSet));
}

/** The new set's step, if it has one. */
function newSetStep(md: MachineDeployment, newSet: MachineSet, oldSets: readonly MachineSet[]): ScaleStep | undefined {
  const replicas = desiredReplicas(md);
  const current = setReplicas(newSet);
  if (current === replicas) return undefined;
  if (current > replicas) return { set: newSet, replicas };
  const target = newSetTarget(md, [...oldSets, newSet], newSet);
  return target === current ? undefined : { set: newSet, replicas: target };
}

/** The old sets' steps (empty when availability does not allow any scale-down). */
function oldSetSteps(md: MachineDeployment, newSet: MachineSet, oldSets: readonly MachineSet[]): ScaleStep[] {
  const active = oldSets.filter(isActiveSet).sort(compareByCreation);
  if (sumReplicas(active) === 0) return [];
  const all = [...oldSets, newSet];
  const minAvailable = desiredReplicas(md) - maxUnavailable(md);
  const newUnavailable = setReplicas(newSet) - (newSet.status?.availableReplicas ?? 0);
  const maxScaledDown = sumReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const target = new Map(active.map((s) => [s, setReplicas(s)]));
  // Unavailable old machines go first: removing them costs no availability.
  let cleaned = 0;
  for (const s of active) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = setReplicas(s) - (s.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    target.set(s, setReplicas(s) - down);
    cleaned += down;
  }
  const available = sumAvailable(all);
  if (available > minAvailable) {
    const budget = available - minAvailable;
    let scaled = 0;
    for (const s of active) {
      if (scaled >= budget) break;
      const r = target.get(s)!;
      if (r === 0) continue;
      const down = Math.min(r, budget - scaled);
      target.set(s, r - down);
      scaled += down;
    }
  }
  return active.filter((s) => target.get(s) !== setReplicas(s)).map((s) => ({ set: s, replicas: target.get(s)! }));
}

/** The next step of a rolling update (empty: nothing to scale now). */
export function rollingUpdateStep(
  md: MachineDeployment,
  newSet: MachineSet,
  oldSets: readonly MachineSet[],
): ScaleStep[] {
  const step = newSetStep(md, newSet, oldSets);
  if (step) return [step];
  return oldSetSteps(md, newSet, oldSets);
}
