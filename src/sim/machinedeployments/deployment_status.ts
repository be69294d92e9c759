/**
 * SIMULATION: a MachineDeployment's status as MCM computes it (`calculateDeploymentStatus`, `syncRolloutStatus`).
 * Sums over its MachineSets: `replicas` (Σ status.replicas), `updatedReplicas` (status.replicas of the new set),
 * `readyReplicas`, `availableReplicas`, `unavailableReplicas` (Σ spec.replicas − available, at least 0),
 * `failedMachines` (every set's list), `preservedFailedReplicas`, `observedGeneration`. Condition `Available` is
 * True (`MinimumReplicasAvailable`) while available ≥ replicas − maxUnavailable − preservedFailedReplicas, else False
 * (`MinimumReplicasUnavailable`). `Progressing` exists only with `progressDeadlineSeconds` (NewMachineSetAvailable
 * when complete, MachineSetUpdated on progress, ProgressDeadlineExceeded after the deadline without progress).
 * A set's `ReplicaFailure` is surfaced as the deployment's. Conditions keep their timestamps while status and reason
 * stay the same, so a steady state computes an identical status (no write). Pure.
 */
import type { MachineDeployment, MachineSet, MachineSummary } from "../../apis/machine/v1alpha1.ts";
import { semanticEqual } from "./canonical_json.ts";
import {
  DeploymentConditionType,
  DeploymentReason,
  MachineSetConditionType,
  MESSAGE_MINIMUM_AVAILABLE,
  MESSAGE_MINIMUM_UNAVAILABLE,
} from "./keys.ts";
import { setReplicas } from "./deployment_machine_sets.ts";
import { metav1Time, parseTime } from "../kernel/mod.ts";
import { desiredReplicas, maxUnavailable } from "./rollout_limits.ts";

/** `status` of a MachineDeployment. */
export type DeploymentStatus = NonNullable<MachineDeployment["status"]>;
/** One entry of `status.conditions`. */
export type DeploymentCondition = NonNullable<DeploymentStatus["conditions"]>[number];

/** A condition stamped `now`. */
export function newCondition(type: string, status: string, reason: string, message: string, now: number) {
  const t = metav1Time(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t } satisfies DeploymentCondition;
}

/** Sets a condition unless one with the same status and reason exists; keeps lastTransitionTime if status stays. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const conditions = status.conditions ?? [];
  const current = conditions.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...conditions.filter((c) => c.type !== cond.type), next];
}

/** Removes the condition of that type. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** The condition of that type, if any. */
export function conditionOf(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Counts, failed machines and the Available condition (MCM's `calculateDeploymentStatus`). */
export function computeDeploymentStatus(
  md: MachineDeployment,
  sets: readonly MachineSet[],
  newSet: MachineSet | undefined,
  now: number,
): DeploymentStatus {
  let replicas = 0, ready = 0, available = 0, specReplicas = 0, preservedFailed = 0;
  const failed: MachineSummary[] = [];
  for (const s of sets) {
    replicas += s.status?.replicas ?? 0;
    ready += s.status?.readyReplicas ?? 0;
    available += s.status?.availableReplicas ?? 0;
    preservedFailed += s.status?.preservedFailedReplicas ?? 0;
    specReplicas += setReplicas(s);
    for (const f of s.status?.failedMachines ?? []) failed.push(structuredClone(f));
  }
  const status: DeploymentStatus = {
    observedGeneration: md.metadata.generation,
    replicas,
    updatedReplicas: newSet?.status?.replicas ?? 0,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas - available),
  };
  if (preservedFailed) status.preservedFailedReplicas = preservedFailed;
  if (md.status?.collisionCount !== undefined) status.collisionCount = md.status.collisionCount;
  if (failed.length) status.failedMachines = failed;
  if (md.status?.conditions?.length) status.conditions = md.status.conditions.map((c) => ({ ...c }));
  // Preserved Failed machines are tolerated on top of maxUnavailable.
  if (available >= Math.max(0, desiredReplicas(md) - maxUnavailable(md) - preservedFailed)) {
    setCondition(
      status,
      newCondition(
        DeploymentConditionType.Available,
        "True",
        DeploymentReason.MinimumReplicasAvailable,
        MESSAGE_MINIMUM_AVAILABLE,
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        DeploymentConditionType.Available,
        "False",
        DeploymentReason.MinimumReplicasUnavailable,
        MESSAGE_MINIMUM_UNAVAILABLE,
        now,
      ),
    );
  }
  return status;
}

/** All desired machines are updated and available, no old ones remain, and the generation was observed. */
export function isComplete(md: MachineDeployment, status: DeploymentStatus | undefined): boolean {
  const replicas = desiredReplicas(md);
  return (status?.updatedReplicas ?? 0) === replicas && (status?.replicas ?? 0) === replicas &&
    (status?.availableReplicas ?? 0) === replicas &&
    (status?.observedGeneration ?? 0) >= (md.metadata.generation ?? 0);
}

function madeProgress(md: MachineDeployment, next: DeploymentStatus): boolean {
  const old = md.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

function timedOut(md: MachineDeployment, next: DeploymentStatus, now: number): boolean {
  const deadline = md.spec.progressDeadlineSeconds;
  if (deadline === undefined) return false;
  const cond = conditionOf(next, DeploymentConditionType.Progressing);
  if (!cond || cond.reason === DeploymentReason.NewMachineSetAvailable) return false;
  if (cond.reason === DeploymentReason.ProgressDeadlineExceeded) return true;
  const from = parseTime(cond.lastUpdateTime) ?? now;
  return from + deadline * 1000 < now;
}

/** The status after a rollout step: counts plus Progressing and ReplicaFailure (MCM's `syncRolloutStatus`). */
export function computeRolloutStatus(
  md: MachineDeployment,
  sets: readonly MachineSet[],
  newSet: MachineSet | undefined,
  now: number,
): DeploymentStatus {
  const next = computeDeploymentStatus(md, sets, newSet, now);
  const deadline = md.spec.progressDeadlineSeconds;
  if (deadline === undefined) removeCondition(next, DeploymentConditionType.Progressing);
  const current = conditionOf(md.status, DeploymentConditionType.Progressing);
  const alreadyComplete = next.replicas === next.updatedReplicas &&
    current?.reason === DeploymentReason.NewMachineSetAvailable;
  if (deadline !== undefined && !alreadyComplete) {
    const subject = newSet ? `MachineSet "${newSet.metadata.name}"` : `Machine Deployment "${md.metadata.name}"`;
    if (isComplete(md, next)) {
      setCondition(
        next,
        newCondition(
          DeploymentConditionType.Progressing,
          "True",
          DeploymentReason.NewMachineSetAvailable,
          `${subject} has successfully progressed.`,
          now,
        ),
      );
    } else if (madeProgress(md, next)) {
      // Progress refreshes lastUpdateTime even when the reason stays (the deadline counts from the last progress).
      const cond = newCondition(
        DeploymentConditionType.Progressing,
        "True",
        DeploymentReason.MachineSetUpdated,
        `${subject} is progressing.`,
        now,
      );
      if (current?.status === "True") cond.lastTransitionTime = current.lastTransitionTime ?? cond.lastTransitionTime;
      removeCondition(next, DeploymentConditionType.Progressing);
      setCondition(next, cond);
    } else if (timedOut(md, next, now)) {
      setCondition(
        next,
        newCondition(
          DeploymentConditionType.Progressing,
          "False",
          DeploymentReason.ProgressDeadlineExceeded,
          `${subject} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = replicaFailure(sets, newSet);
  if (failure) setCondition(next, failure);
  else removeCondition(next, DeploymentConditionType.ReplicaFailure);
  return next;
}

/** The ReplicaFailure condition of the new set, else of any set, as a deployment condition. */
function replicaFailure(sets: readonly MachineSet[], newSet: MachineSet | undefined): DeploymentCondition | undefined {
  const ordered = newSet ? [newSet, ...sets.filter((s) => s !== newSet)] : sets;
  for (const s of ordered) {
    const c = s.status?.machineSetCondition?.find((c) => c.type === MachineSetConditionType.ReplicaFailure);
    if (c) {
      return {
        type: DeploymentConditionType.ReplicaFailure,
        status: c.status,
        reason: c.reason,
        message: c.message,
        lastTransitionTime: c.lastTransitionTime,
        lastUpdateTime: c.lastTransitionTime,
      };
    }
  }
  return undefined;
}

/** When to look again for the progress deadline (undefined: no need). */
export function progressCheckDelayMs(md: MachineDeployment, next: DeploymentStatus, now: number): number | undefined {
  const deadline = md.spec.progressDeadlineSeconds;
  const cond = conditionOf(md.status, DeploymentConditionType.Progressing);
  if (deadline === undefined || !cond) return undefined;
  if (isComplete(md, next) || cond.reason === DeploymentReason.ProgressDeadlineExceeded) return undefined;
  const from = parseTime(cond.lastUpdateTime) ?? now;
  return Math.max(1000, from + deadline * 1000 - now + 1000);
}

/** True if `next` differs from what the deployment reports now. */
export function deploymentStatusChanged(md: MachineDeployment, next: DeploymentStatus): boolean {
  return !semanticEqual(md.status ?? {}, next);
}
