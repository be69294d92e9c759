/**
 * SIMULATION: maxSurge and maxUnavailable of a MachineDeployment resolved to machine counts as MCM (and Kubernetes'
 * deployment controller) resolve them: a percentage of `spec.replicas`, surge rounded up, unavailability rounded
 * down; if both come out 0, one machine may be unavailable (otherwise a rollout could never start). Pure.
 */
import type { IntOrString, MachineDeployment } from "../../apis/machine/v1alpha1.ts";

/** `25%` style values; anything else that is a string is invalid (an integer must be a JSON number). */
const PERCENT = /^(\d+)%$/;

/** An int-or-percent resolved against `total`; throws naming `field` when the value is malformed. */
export function resolveIntOrPercent(
  value: IntOrString | undefined,
  total: number,
  roundUp: boolean,
  field: string,
): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${field}: must be a non-negative integer or percentage`);
    }
    return value;
  }
  const m = PERCENT.exec(value);
  if (!m) throw new Error(`${field}: invalid value ${JSON.stringify(value)}: must be an integer or a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** Surge and unavailability of a rolling update with `replicas` desired machines. */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, true, "spec.strategy.rollingUpdate.maxSurge");
  let unavailable = resolveIntOrPercent(maxUnavailable, replicas, false, "spec.strategy.rollingUpdate.maxUnavailable");
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** `spec.replicas`, 0 when unset. */
export function desiredReplicas(md: MachineDeployment): number {
  return md.spec.replicas ?? 0;
}

/** True for the RollingUpdate strategy. */
export function isRollingUpdate(md: MachineDeployment): boolean {
  return md.spec.strategy?.type === "RollingUpdate";
}

/** Machines a rolling update may run beyond `spec.replicas` (0 for other strategies). */
export function maxSurge(md: MachineDeployment): number {
  if (!isRollingUpdate(md)) return 0;
  const ru = md.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(md)).surge;
}

/** Machines a rolling update may take out of availability (0 for other strategies or 0 replicas). */
export function maxUnavailable(md: MachineDeployment): number {
  const replicas = desiredReplicas(md);
  if (!isRollingUpdate(md) || replicas === 0) return 0;
  const ru = md.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable, replicas);
}
