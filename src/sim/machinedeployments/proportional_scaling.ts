/**
 * SIMULATION: what MCM's deployment controller does when `spec.replicas` changed (a scaling event: an active set's
 * desired-replicas annotation differs from it) or the deployment is paused (`scale`). One active set (or none: the
 * newest) takes the full count. A saturated new set makes every old set go to 0. Otherwise, during a rolling update,
 * the difference to `replicas + maxSurge` is spread over the active sets in proportion to their size (from the
 * max-replicas annotation they were last scaled with), larger sets first, leftovers to the largest; every active set
 * is rescaled so that its annotations record the new size of the deployment. Pure.
 */
import type { MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import { ANNOTATION_DESIRED_REPLICAS, ANNOTATION_MAX_REPLICAS } from "./keys.ts";
import { compareByCreation, isActiveSet, setReplicas } from "./deployment_machine_sets.ts";
import { desiredReplicas, isRollingUpdate, maxSurge } from "./rollout_limits.ts";
import type { ScaleStep } from "./rolling_update.ts";

function intAnnotation(set: MachineSet, key: string): number | undefined {
  const raw = set.metadata.annotations?.[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

/** True if some active set was last scaled for a different deployment size. */
export function isScalingEvent(md: MachineDeployment, sets: readonly MachineSet[]): boolean {
  const replicas = desiredReplicas(md);
  return sets.filter(isActiveSet).some((s) => {
    const desired = intAnnotation(s, ANNOTATION_DESIRED_REPLICAS);
    return desired !== undefined && desired !== replicas;
  });
}

/** The only active set, or the newest set if none is active; undefined if several are active. */
export function activeOrLatest(newSet: MachineSet | undefined, oldSets: readonly MachineSet[]): MachineSet | undefined {
  const newestFirst = [...oldSets].sort((a, b) => compareByCreation(b, a));
  const candidates = newSet ? [...newestFirst, newSet] : newestFirst;
  const active = candidates.filter(isActiveSet);
  if (active.length === 0) return newSet ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** The new set runs the full, available count for the current size of the deployment. */
export function isSaturated(md: MachineDeployment, set: MachineSet | undefined): boolean {
  if (!set) return false;
  const replicas = desiredReplicas(md);
  return setReplicas(set) === replicas && intAnnotation(set, ANNOTATION_DESIRED_REPLICAS) === replicas &&
    (set.status?.availableReplicas ?? 0) === replicas;
}

function fraction(set: MachineSet, md: MachineDeployment): number {
  const replicas = desiredReplicas(md);
  if (replicas === 0) return -setReplicas(set);
  const annotated = intAnnotation(set, ANNOTATION_MAX_REPLICAS) ?? md.status?.replicas ?? 0;
  if (annotated <= 0) return 0;
  return Math.round((setReplicas(set) * (replicas + maxSurge(md))) / annotated) - setReplicas(set);
}

function proportion(set: MachineSet, md: MachineDeployment, toAdd: number, added: number): number {
  if (setReplicas(set) === 0 || toAdd === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  const f = fraction(set, md);
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/** The scale steps of a scaling event (sets whose size stays get a step too: their annotations change). */
export function scalingEventSteps(
  md: MachineDeployment,
  newSet: MachineSet | undefined,
  oldSets: readonly MachineSet[],
): ScaleStep[] {
  const replicas = desiredReplicas(md);
  const single = activeOrLatest(newSet, oldSets);
  if (single) return [{ set: single, replicas }];
  if (isSaturated(md, newSet)) return oldSets.filter(isActiveSet).map((set) => ({ set, replicas: 0 }));
  if (!isRollingUpdate(md)) return [];

  const active = (newSet ? [...oldSets, newSet] : [...oldSets]).filter(isActiveSet);
  const allowed = replicas > 0 ? replicas + maxSurge(md) : 0;
  const toAdd = allowed - active.reduce((n, s) => n + setReplicas(s), 0);
  // Larger sets first; equal sizes: newer first when growing, older first when shrinking.
  active.sort((a, b) => {
    const bySize = setReplicas(b) - setReplicas(a);
    if (bySize !== 0) return bySize;
    return toAdd > 0 ? compareByCreation(b, a) : compareByCreation(a, b);
  });
  const sizes = new Map<MachineSet, number>();
  let added = 0;
  for (const s of active) {
    const p = toAdd !== 0 ? proportion(s, md, toAdd, added) : 0;
    sizes.set(s, setReplicas(s) + p);
    added += p;
  }
  if (active.length > 0 && toAdd !== 0) {
    const first = active[0];
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return active.map((set) => ({ set, replicas: sizes.get(set)! }));
}
