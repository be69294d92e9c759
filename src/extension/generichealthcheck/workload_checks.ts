/**
 * The library's checks of single objects a control plane consists of: a Deployment (Gardener's `CheckDeployment`
 * rules) and a ManagedResource (applied, healthy, not progressing, current generation). Each takes the cached object
 * (undefined when it does not exist) and returns the check's result. Pure.
 */
import { ConditionStatus } from "../../apis/core/v1beta1.ts";
import type { Deployment } from "../../k8s/api/builtin_types.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { managedResourceProblem } from "../genericcontrolplane/mod.ts";
import type { CheckResult } from "./conditions.ts";

/** Why a Deployment is not healthy; undefined when it is. */
export function deploymentProblem(d: Deployment): string | undefined {
  const generation = d.metadata.generation ?? 0;
  const observed = d.status?.observedGeneration ?? 0;
  if (observed < generation) return `observed generation outdated (${observed}/${generation})`;
  const conditions = d.status?.conditions ?? [];
  const available = conditions.find((c) => c.type === "Available");
  if (!available) return `condition "Available" is missing`;
  if (available.status !== "True") {
    return `condition "Available" has invalid status ${available.status} (expected True) due to ${
      available.reason ?? ""
    }: ${available.message ?? ""}`;
  }
  const progressing = conditions.find((c) => c.type === "Progressing");
  if (progressing && progressing.status !== "True") {
    return `condition "Progressing" has invalid status ${progressing.status} (expected True) due to ${
      progressing.reason ?? ""
    }: ${progressing.message ?? ""}`;
  }
  const failure = conditions.find((c) => c.type === "ReplicaFailure");
  if (failure && failure.status !== "False") {
    return `condition "ReplicaFailure" has invalid status ${failure.status} (expected False) due to ${
      failure.reason ?? ""
    }: ${failure.message ?? ""}`;
  }
  const desired = d.spec?.replicas ?? 1;
  const updated = d.status?.updatedReplicas ?? 0;
  if (updated < desired) return `deployment does not have enough updated replicas (${updated}/${desired})`;
  const replicas = d.status?.replicas ?? 0;
  if (replicas > updated) return `deployment has outdated replicas (${replicas - updated} pending termination)`;
  const available_ = d.status?.availableReplicas ?? 0;
  if (available_ < updated) return `deployment does not have enough available replicas (${available_}/${updated})`;
  return undefined;
}

/** The Deployment check of a seed component (e.g. the cloud-controller-manager) in the shoot namespace. */
export function checkDeployment(d: Deployment | undefined, name: string, namespace: string): CheckResult {
  if (!d) {
    return { status: ConditionStatus.False, detail: `deployment "${name}" in namespace "${namespace}" not found` };
  }
  const problem = deploymentProblem(d);
  if (problem) {
    return {
      status: ConditionStatus.False,
      detail: `deployment "${name}" in namespace "${namespace}" is unhealthy: ${problem}`,
    };
  }
  return { status: ConditionStatus.True };
}

interface ManagedResourceView extends KubeObject {
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/**
 * The ManagedResource check: missing, an outdated generation, `ResourcesApplied` or `ResourcesHealthy` not True are
 * unhealthy (the ControlPlane's `managedResourceProblem`); `ResourcesProgressing` True on an otherwise healthy MR is
 * progressing (for `progressingThresholdMs`, else unhealthy at once).
 */
export function checkManagedResource(
  mr: ManagedResourceView | undefined,
  name: string,
  namespace: string,
  progressingThresholdMs?: number,
): CheckResult {
  const what = `managed resource "${name}" in namespace "${namespace}"`;
  if (!mr) return { status: ConditionStatus.False, detail: `${what} not found` };
  const conditions = mr.status?.conditions ?? [];
  const progressing = conditions.find((c) => c.type === "ResourcesProgressing");
  const settled = { ...mr, status: { ...mr.status, conditions: conditions.filter((c) => c !== progressing) } };
  const problem = managedResourceProblem(settled);
  if (problem) return { status: ConditionStatus.False, detail: `${what} is unhealthy: ${problem}` };
  if (progressing?.status === "True") {
    return {
      status: ConditionStatus.Progressing,
      detail: `${what} is progressing: ${progressing.message ?? progressing.reason ?? ""}`,
      ...(progressingThresholdMs !== undefined ? { progressingThresholdMs } : {}),
    };
  }
  return { status: ConditionStatus.True };
}
