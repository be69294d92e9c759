/**
 * Settings of the machine controller with MCM's flag defaults (MCM HEAD `options.go`), and their validation.
 * Durations are milliseconds here; the CLI parses Go duration text into them.
 */

/** Every tunable of the machine controller. */
export interface MachineControllerOptions {
  /** Namespace of Machines, MachineClasses, Secrets and the leader lease. */
  namespace: string;
  /** Parallel reconciles per queue. */
  concurrentSyncs: number;
  /** Client-side rate limit of each API client. */
  kubeApiQps: number;
  kubeApiBurst: number;
  machineCreationTimeoutMs: number;
  machineHealthTimeoutMs: number;
  machineDrainTimeoutMs: number;
  machineMaxEvictRetries: number;
  machinePvDetachTimeoutMs: number;
  machinePvReattachTimeoutMs: number;
  machineSafetyOrphanVmsPeriodMs: number;
  machineSafetyApiserverStatuscheckPeriodMs: number;
  machineSafetyApiserverStatuscheckTimeoutMs: number;
  machineInplaceUpdateTimeoutMs: number;
  machinePreserveTimeoutMs: number;
  /** Comma-separated node condition types that make a machine unhealthy unless False. */
  nodeConditions: string;
  /** `auth-extra-groups` of bootstrap tokens. */
  bootstrapTokenAuthExtraGroups: string;
  /** Requeue after a ResourceExhausted create error (0 = LongRetry). */
  resourceExhaustedRetryMs: number;
  /** Without a target cluster (`--target-kubeconfig=none`): not supported by this implementation. */
  targetless: boolean;
}

/** MCM's defaults. */
export const DEFAULT_OPTIONS: Readonly<MachineControllerOptions> = Object.freeze({
  namespace: "default",
  concurrentSyncs: 50,
  kubeApiQps: 20,
  kubeApiBurst: 30,
  machineCreationTimeoutMs: 20 * 60_000,
  machineHealthTimeoutMs: 10 * 60_000,
  machineDrainTimeoutMs: 2 * 3_600_000,
  machineMaxEvictRetries: 360,
  machinePvDetachTimeoutMs: 2 * 60_000,
  machinePvReattachTimeoutMs: 90_000,
  machineSafetyOrphanVmsPeriodMs: 15 * 60_000,
  machineSafetyApiserverStatuscheckPeriodMs: 60_000,
  machineSafetyApiserverStatuscheckTimeoutMs: 30_000,
  machineInplaceUpdateTimeoutMs: 20 * 60_000,
  machinePreserveTimeoutMs: 96 * 3_600_000,
  nodeConditions: "KernelDeadlock,ReadonlyFilesystem,DiskPressure,NetworkUnavailable",
  bootstrapTokenAuthExtraGroups: "",
  resourceExhaustedRetryMs: 10 * 60_000,
  targetless: false,
});

/** Fills unset fields with the defaults. */
export function withDefaults(partial: Partial<MachineControllerOptions> = {}): MachineControllerOptions {
  const out: MachineControllerOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Flag names of the duration settings, for error messages. */
const DURATION_FLAGS: Array<[keyof MachineControllerOptions, string]> = [
  ["machineCreationTimeoutMs", "--machine-creation-timeout"],
  ["machineHealthTimeoutMs", "--machine-health-timeout"],
  ["machineDrainTimeoutMs", "--machine-drain-timeout"],
  ["machinePvDetachTimeoutMs", "--machine-pv-detach-timeout"],
  ["machinePvReattachTimeoutMs", "--machine-pv-reattach-timeout"],
  ["machineSafetyOrphanVmsPeriodMs", "--machine-safety-orphan-vms-period"],
  ["machineSafetyApiserverStatuscheckPeriodMs", "--machine-safety-apiserver-statuscheck-period"],
  ["machineSafetyApiserverStatuscheckTimeoutMs", "--machine-safety-apiserver-statuscheck-timeout"],
  ["machineInplaceUpdateTimeoutMs", "--machine-inplace-update-timeout"],
  ["machinePreserveTimeoutMs", "--machine-preserve-timeout"],
  ["resourceExhaustedRetryMs", "--resource-exhausted-retry"],
];

/** Returns every problem of the settings (empty when valid), each naming its flag. */
export function validateOptions(o: MachineControllerOptions): string[] {
  const errors: string[] = [];
  if (!o.namespace) errors.push("--namespace: must not be empty");
  if (!Number.isInteger(o.concurrentSyncs) || o.concurrentSyncs <= 0) {
    errors.push(`--concurrent-syncs: must be a positive integer, got ${o.concurrentSyncs}`);
  }
  if (!(o.kubeApiQps > 0)) errors.push(`--kube-api-qps: must be positive, got ${o.kubeApiQps}`);
  if (!Number.isInteger(o.kubeApiBurst) || o.kubeApiBurst <= 0) {
    errors.push(`--kube-api-burst: must be a positive integer, got ${o.kubeApiBurst}`);
  }
  for (const [key, flag] of DURATION_FLAGS) {
    const v = o[key] as number;
    if (!Number.isFinite(v) || v < 0) errors.push(`${flag}: must be a non-negative duration`);
  }
  if (!Number.isInteger(o.machineMaxEvictRetries) || o.machineMaxEvictRetries < 0) {
    errors.push(`--machine-max-evict-retries: must be a non-negative integer, got ${o.machineMaxEvictRetries}`);
  }
  if (o.machineSafetyApiserverStatuscheckPeriodMs < o.machineSafetyApiserverStatuscheckTimeoutMs) {
    errors.push(
      "--machine-safety-apiserver-statuscheck-period: must be at least --machine-safety-apiserver-statuscheck-timeout",
    );
  }
  for (const c of o.nodeConditions.split(",")) {
    if (o.nodeConditions !== "" && c.trim() === "") {
      errors.push(`--node-conditions: empty condition type in "${o.nodeConditions}"`);
      break;
    }
  }
  return errors;
}
