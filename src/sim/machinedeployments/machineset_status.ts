/**
 * SIMULATION: a MachineSet's status as MCM computes it (`calculateMachineSetStatus`). Over the machines the set
 * owns (Terminating ones included): `replicas` counts them all, `fullyLabeledReplicas` those carrying every template
 * label, `availableReplicas` those in phase Running or Available, `readyReplicas` those Running.
 * `failedMachines` lists the machines whose last operation failed (name, providerID, lastOperation, owner name); when
 * there are none it is cleared only once the ready count equals the previous `status.replicas` (MCM keeps reporting a
 * failure until the replacement is ready); a Failed machine with a preservation expiry is counted in
 * `preservedFailedReplicas` instead, and machines annotated `auto-preserved` in `autoPreserveFailedMachineCount`.
 * A `ReplicaFailure` condition appears when creating or deleting machines
 * failed and goes away after a sync without failure. Pure.
 */
import {
  ANNOTATION_PRESERVE,
  type Machine,
  type MachineSet,
  type MachineSummary,
} from "../../apis/machine/v1alpha1.ts";
import { controllerOf } from "../../k8s/api/objects.ts";
import { semanticEqual } from "./canonical_json.ts";
import { MachineSetConditionType, PRESERVE_AUTO, REASON_FAILED_CREATE, REASON_FAILED_DELETE } from "./keys.ts";
import { isAvailable, isFailed, isReady } from "./machine_ranking.ts";
import { metav1Time } from "../kernel/mod.ts";

/** `status` of a MachineSet. */
export type MachineSetStatus = NonNullable<MachineSet["status"]>;
type MachineSetCondition = NonNullable<MachineSetStatus["machineSetCondition"]>[number];

/** The summary MCM reports for a machine whose last operation failed. */
export function failedMachineSummary(m: Machine): MachineSummary {
  const summary: MachineSummary = { name: m.metadata.name };
  if (m.spec.providerID) summary.providerID = m.spec.providerID;
  if (m.status?.lastOperation) summary.lastOperation = structuredClone(m.status.lastOperation);
  const owner = controllerOf(m);
  if (owner) summary.ownerRef = owner.name;
  return summary;
}

function hasAllLabels(labels: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(wanted)) if (labels?.[k] !== v) return false;
  return true;
}

/**
 * The new status of `ms` owning `machines`. `replicaError` is the message of a failed creation or deletion in this
 * sync (undefined when none failed).
 */
export function computeMachineSetStatus(
  ms: MachineSet,
  machines: readonly Machine[],
  replicaError: string | undefined,
  now: number,
): MachineSetStatus {
  const old = ms.status ?? {};
  const templateLabels = ms.spec?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0, available = 0, ready = 0, autoPreserved = 0;
  const failed: MachineSummary[] = [];
  const preserved = new Set<string>();
  for (const m of machines) {
    if (hasAllLabels(m.metadata.labels, templateLabels)) fullyLabeled++;
    if (isAvailable(m)) available++;
    if (isReady(m)) ready++;
    // A preserved Failed machine is counted apart, not listed as failed (its deployment is not unavailable for it).
    if (isFailed(m) && m.status?.currentStatus?.preserveExpiryTime) preserved.add(m.metadata.name!);
    else if (m.status?.lastOperation?.state === "Failed") failed.push(failedMachineSummary(m));
    if (m.metadata.annotations?.[ANNOTATION_PRESERVE] === PRESERVE_AUTO) autoPreserved++;
  }

  let failedMachines = old.failedMachines?.filter((f) => !preserved.has(f.name ?? ""));
  if (failed.length > 0) failedMachines = failed;
  else if (ready === (old.replicas ?? 0)) failedMachines = undefined;

  let conditions: MachineSetCondition[] = [...(old.machineSetCondition ?? [])];
  const hasFailure = conditions.some((c) => c.type === MachineSetConditionType.ReplicaFailure);
  if (replicaError !== undefined && !hasFailure) {
    const diff = machines.length - (ms.spec?.replicas ?? 0);
    conditions.push({
      type: MachineSetConditionType.ReplicaFailure,
      status: "True",
      reason: diff < 0 ? REASON_FAILED_CREATE : diff > 0 ? REASON_FAILED_DELETE : "",
      message: replicaError,
      lastTransitionTime: metav1Time(now),
    });
  } else if (replicaError === undefined && hasFailure) {
    conditions = conditions.filter((c) => c.type !== MachineSetConditionType.ReplicaFailure);
  }

  const next: MachineSetStatus = {
    ...old,
    replicas: machines.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: ms.metadata.generation ?? old.observedGeneration,
  };
  // Zero counts are left out, as MCM's omitempty does.
  if (preserved.size) next.preservedFailedReplicas = preserved.size;
  else delete next.preservedFailedReplicas;
  if (autoPreserved) next.autoPreserveFailedMachineCount = autoPreserved;
  else delete next.autoPreserveFailedMachineCount;
  if (failedMachines?.length) next.failedMachines = failedMachines;
  else delete next.failedMachines;
  if (conditions.length) next.machineSetCondition = conditions;
  else delete next.machineSetCondition;
  return next;
}

/** True if `next` differs from what the MachineSet reports now (steady state writes nothing). */
export function machineSetStatusChanged(ms: MachineSet, next: MachineSetStatus): boolean {
  return !semanticEqual(ms.status ?? {}, next);
}
