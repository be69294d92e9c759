/**
 * SIMULATION: what MCM's MachineSet controller does about the number of its Machines in one sync (its
 * `manageReplicas`). Machines in phase Terminating do not count. Too few: create the difference (at most 100 per
 * sync; none while the set is frozen or has scale-up disabled) and do nothing else this sync. Otherwise delete the
 * surplus in deletion order, every machine the cluster-autoscaler marked before the set's last scale-down, and every
 * Failed machine that is not preserved (its replacement is created by the next sync, once it is Terminating).
 * Pure.
 */
import {
  ANNOTATION_LAST_REPLICA_CHANGE_BY_SCALER,
  ANNOTATION_MARKED_FOR_DELETION_TIME,
  LABEL_FREEZE,
  LABEL_SCALE_UP_DISABLED,
  type Machine,
  type MachineSet,
} from "../../apis/machine/v1alpha1.ts";
import { BURST_REPLICAS } from "./keys.ts";
import { deletionPriority, isFailed, isPreserved, isTerminating, pickForDeletion } from "./machine_ranking.ts";
import { parseTime } from "../kernel/mod.ts";

/** The changes one sync makes. */
export interface MachineSetReplicaPlan {
  /** Machines to create. */
  create: number;
  /** Machines to delete (none of them is being deleted already). */
  remove: Machine[];
  /** Why missing machines are not created (for the log). */
  blocked?: string;
}

/** Machines marked for deletion by the cluster-autoscaler at or before the set's last scale-down by it. */
function markedForDeletion(machines: readonly Machine[], ms: MachineSet): Machine[] {
  const changedAt = parseTime(ms.metadata.annotations?.[ANNOTATION_LAST_REPLICA_CHANGE_BY_SCALER]);
  if (changedAt === undefined) return [];
  return machines.filter((m) => {
    if (deletionPriority(m) !== 1) return false;
    const marked = parseTime(m.metadata.annotations?.[ANNOTATION_MARKED_FOR_DELETION_TIME]);
    return marked !== undefined && marked <= changedAt;
  });
}

/** The plan of a live (not deleting) MachineSet owning `machines`. */
export function planMachineSetReplicas(
  ms: MachineSet,
  machines: readonly Machine[],
  now: number,
): MachineSetReplicaPlan {
  const counted = machines.filter((m) => !isTerminating(m));
  const diff = counted.length - (ms.spec?.replicas ?? 0);
  if (diff < 0) {
    if (ms.metadata.labels?.[LABEL_FREEZE] === "True") return { create: 0, remove: [], blocked: "frozen" };
    if (ms.metadata.labels?.[LABEL_SCALE_UP_DISABLED] !== undefined) {
      return { create: 0, remove: [], blocked: "scale-up disabled" };
    }
    return { create: Math.min(-diff, BURST_REPLICAS), remove: [] };
  }
  const stale = [
    ...pickForDeletion(counted, Math.min(diff, BURST_REPLICAS), now),
    ...markedForDeletion(counted, ms),
    ...counted.filter((m) => isFailed(m) && !isPreserved(m, now)),
  ];
  const seen = new Set<string>();
  const remove: Machine[] = [];
  for (const m of stale) {
    const name = m.metadata.name ?? "";
    if (seen.has(name) || m.metadata.deletionTimestamp) continue;
    seen.add(name);
    remove.push(m);
    if (remove.length === BURST_REPLICAS) break;
  }
  return { create: 0, remove };
}

/** Batch sizes of MCM's slow start for `count` creations: 1, 2, 4, ... (the last one is what is left). */
export function slowStartBatches(count: number, initial: number): number[] {
  const out: number[] = [];
  let remaining = count;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    out.push(size);
    remaining -= size;
  }
  return out;
}
