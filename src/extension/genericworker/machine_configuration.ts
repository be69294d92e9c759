/**
 * Per-pool settings that become MachineDeployment fields: MCM's MachineConfiguration (timeouts, eviction retries,
 * node conditions) and the cluster-autoscaler annotations. Durations are rewritten as Go prints them (`10m` becomes
 * `10m0s`), because gardenlet passes `metav1.Duration`s and consumers compare the text. Pure.
 */
import { type FieldError, fieldPath, invalid } from "../../apis/decode.ts";
import { formatDurationNanos, parseDurationNanos } from "../../runtime/duration.ts";
import { ClusterAutoscalerAnnotation } from "../../apis/extensions/constants.ts";
import type { WorkerPool } from "../../apis/extensions/v1alpha1.ts";
import type { MachineConfiguration } from "../../apis/machine/v1alpha1.ts";

/** Go duration text as Go formats it, or a field error. */
function goDuration(value: string, field: string, errors: FieldError[]): string | undefined {
  try {
    return formatDurationNanos(parseDurationNanos(value));
  } catch (e) {
    errors.push(invalid(field, value, `must be a Go duration such as "20m" or "1h30m" (${(e as Error).message})`));
    return undefined;
  }
}

/** The MachineConfiguration of a pool's machines (only the settings the pool has), plus field errors. */
export function machineConfigurationOf(
  pool: WorkerPool,
  poolPath: string,
): { config: MachineConfiguration; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const config: MachineConfiguration = {};
  const s = pool.machineControllerManager;
  if (!s) return { config, errors };
  const base = fieldPath(poolPath, "machineControllerManager");
  const durations: Array<[keyof typeof s & string, keyof MachineConfiguration]> = [
    ["machineDrainTimeout", "drainTimeout"],
    ["machineHealthTimeout", "healthTimeout"],
    ["machineCreationTimeout", "creationTimeout"],
    ["inPlaceUpdateTimeout", "inPlaceUpdateTimeout"],
    ["machinePreserveTimeout", "machinePreserveTimeout"],
  ];
  for (const [from, to] of durations) {
    const v = s[from];
    if (typeof v !== "string") continue;
    const text = goDuration(v, fieldPath(base, from), errors);
    if (text !== undefined) (config as Record<string, unknown>)[to] = text;
  }
  if (s.maxEvictRetries !== undefined) {
    if (s.maxEvictRetries < 0) {
      errors.push(invalid(fieldPath(base, "maxEvictRetries"), s.maxEvictRetries, "must not be negative"));
    } else config.maxEvictRetries = s.maxEvictRetries;
  }
  if (s.nodeConditions && s.nodeConditions.length > 0) config.nodeConditions = s.nodeConditions.join(",");
  if (s.disableHealthTimeout !== undefined) config.disableHealthTimeout = s.disableHealthTimeout;
  return { config, errors };
}

const DURATION_OPTIONS = [
  ["scaleDownUnneededTime", ClusterAutoscalerAnnotation.ScaleDownUnneededTime],
  ["scaleDownUnreadyTime", ClusterAutoscalerAnnotation.ScaleDownUnreadyTime],
  ["maxNodeProvisionTime", ClusterAutoscalerAnnotation.MaxNodeProvisionTime],
] as const;

const THRESHOLD_OPTIONS = [
  ["scaleDownUtilizationThreshold", ClusterAutoscalerAnnotation.ScaleDownUtilizationThreshold],
  ["scaleDownGpuUtilizationThreshold", ClusterAutoscalerAnnotation.ScaleDownGpuUtilizationThreshold],
] as const;

/** Every annotation key the Worker controller owns on MachineDeployments for the cluster-autoscaler. */
export const CLUSTER_AUTOSCALER_ANNOTATION_KEYS: readonly string[] = Object.values(ClusterAutoscalerAnnotation);

/**
 * The cluster-autoscaler annotations of a pool's MachineDeployments (only set options; the others are removed from
 * the deployments), plus field errors.
 */
export function clusterAutoscalerAnnotationsOf(
  pool: WorkerPool,
  poolPath: string,
): { annotations: Record<string, string>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const annotations: Record<string, string> = {};
  const o = pool.clusterAutoscaler;
  if (!o) return { annotations, errors };
  const base = fieldPath(poolPath, "clusterAutoscaler");
  for (const [option, key] of THRESHOLD_OPTIONS) {
    const v = o[option];
    if (v === undefined || v === "") continue;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
      errors.push(invalid(fieldPath(base, option), v, "must be a number between 0 and 1"));
    } else annotations[key] = v;
  }
  for (const [option, key] of DURATION_OPTIONS) {
    const v = o[option];
    if (v === undefined || v === "") continue;
    const text = goDuration(v, fieldPath(base, option), errors);
    if (text !== undefined) annotations[key] = text;
  }
  return { annotations, errors };
}
