/**
 * The machine controller's command-line flags resolved as MCM resolves them (HEAD `options.go`): defaults, Go
 * durations, Go-style booleans and MCM's validation rules, with errors naming the flag.
 */
import { parseDuration } from "../../apis/duration.ts";
import { DEFAULT_OPTIONS, type MachineControllerOptions, validateOptions, withDefaults } from "./options.ts";
import { goBool } from "../../apis/go_bool.ts";
import { metalApiUrlProblem } from "../../metal/api_url.ts";

/** Flag values as given on the command line (strings, as Go's pflag receives them). */
export interface RawFlags {
  controlKubeconfig?: string;
  targetKubeconfig?: string;
  namespace?: string;
  port?: string;
  address?: string;
  concurrentSyncs?: string;
  minResyncPeriod?: string;
  kubeApiQps?: string;
  kubeApiBurst?: string;
  kubeApiContentType?: string;
  profiling?: string | boolean;
  contentionProfiling?: string | boolean;
  machineCreationTimeout?: string;
  machineHealthTimeout?: string;
  machineDrainTimeout?: string;
  machineMaxEvictRetries?: string;
  machinePvDetachTimeout?: string;
  machinePvReattachTimeout?: string;
  machineSafetyOrphanVmsPeriod?: string;
  machineSafetyApiserverStatuscheckPeriod?: string;
  machineSafetyApiserverStatuscheckTimeout?: string;
  machineInplaceUpdateTimeout?: string;
  machinePreserveTimeout?: string;
  nodeConditions?: string;
  bootstrapTokenAuthExtraGroups?: string;
  resourceExhaustedRetry?: string;
  leaderElect?: string | boolean;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  leaderElectResourceLock?: string;
  v?: string;
  metalApiUrl?: string;
  metalApiAllowPlainHttp?: string | boolean;
}

/** Everything the command needs, resolved and validated. */
export interface ResolvedFlags {
  controller: MachineControllerOptions;
  controlKubeconfig: string;
  targetKubeconfig: string;
  listen: string;
  leaderElection?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  verbosity: number;
  metalApiUrl?: string;
  /** `--metal-api-allow-plain-http`: an http:// Metal API URL on a host that is not loopback. */
  metalApiAllowPlainHttp: boolean;
}

/** Lease name of the machine controller (MCM). */
export const LEASE_NAME = "machine-controller";

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split(".").every((p) => Number(p) <= 255);
  try {
    new URL(`http://[${s}]/`);
    return s.includes(":");
  } catch {
    return false;
  }
}

/** Resolves and validates the flags; every problem names its flag. */
export function resolveFlags(raw: RawFlags): { flags?: ResolvedFlags; errors: string[] } {
  const errors: string[] = [];
  const duration = (v: string | undefined, flag: string, fallback: number): number => {
    if (v === undefined) return fallback;
    try {
      return parseDuration(v);
    } catch (e) {
      errors.push(`${flag}: ${(e as Error).message}`);
      return fallback;
    }
  };
  const int = (v: string | undefined, flag: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim())) {
      errors.push(`${flag}: invalid integer ${JSON.stringify(v)}`);
      return fallback;
    }
    return Number(v);
  };
  const float = (v: string | undefined, flag: string, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) {
      errors.push(`${flag}: invalid number ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  };
  const d = DEFAULT_OPTIONS;
  const controller = withDefaults({
    namespace: raw.namespace ?? d.namespace,
    concurrentSyncs: int(raw.concurrentSyncs, "--concurrent-syncs", d.concurrentSyncs),
    kubeApiQps: float(raw.kubeApiQps, "--kube-api-qps", d.kubeApiQps),
    kubeApiBurst: int(raw.kubeApiBurst, "--kube-api-burst", d.kubeApiBurst),
    machineCreationTimeoutMs: duration(
      raw.machineCreationTimeout,
      "--machine-creation-timeout",
      d.machineCreationTimeoutMs,
    ),
    machineHealthTimeoutMs: duration(raw.machineHealthTimeout, "--machine-health-timeout", d.machineHealthTimeoutMs),
    machineDrainTimeoutMs: duration(raw.machineDrainTimeout, "--machine-drain-timeout", d.machineDrainTimeoutMs),
    machineMaxEvictRetries: int(raw.machineMaxEvictRetries, "--machine-max-evict-retries", d.machineMaxEvictRetries),
    machinePvDetachTimeoutMs: duration(
      raw.machinePvDetachTimeout,
      "--machine-pv-detach-timeout",
      d.machinePvDetachTimeoutMs,
    ),
    machinePvReattachTimeoutMs: duration(
      raw.machinePvReattachTimeout,
      "--machine-pv-reattach-timeout",
      d.machinePvReattachTimeoutMs,
    ),
    machineSafetyOrphanVmsPeriodMs: duration(
      raw.machineSafetyOrphanVmsPeriod,
      "--machine-safety-orphan-vms-period",
      d.machineSafetyOrphanVmsPeriodMs,
    ),
    machineSafetyApiserverStatuscheckPeriodMs: duration(
      raw.machineSafetyApiserverStatuscheckPeriod,
      "--machine-safety-apiserver-statuscheck-period",
      d.machineSafetyApiserverStatuscheckPeriodMs,
    ),
    machineSafetyApiserverStatuscheckTimeoutMs: duration(
      raw.machineSafetyApiserverStatuscheckTimeout,
      "--machine-safety-apiserver-statuscheck-timeout",
      d.machineSafetyApiserverStatuscheckTimeoutMs,
    ),
    machineInplaceUpdateTimeoutMs: duration(
      raw.machineInplaceUpdateTimeout,
      "--machine-inplace-update-timeout",
      d.machineInplaceUpdateTimeoutMs,
    ),
    machinePreserveTimeoutMs: duration(
      raw.machinePreserveTimeout,
      "--machine-preserve-timeout",
      d.machinePreserveTimeoutMs,
    ),
    nodeConditions: raw.nodeConditions ?? d.nodeConditions,
    bootstrapTokenAuthExtraGroups: raw.bootstrapTokenAuthExtraGroups ?? d.bootstrapTokenAuthExtraGroups,
    resourceExhaustedRetryMs: duration(
      raw.resourceExhaustedRetry,
      "--resource-exhausted-retry",
      d.resourceExhaustedRetryMs,
    ),
    targetless: raw.targetKubeconfig === "none",
  });
  errors.push(...validateOptions(controller));
  duration(raw.minResyncPeriod, "--min-resync-period", 12 * 3_600_000);

  const port = int(raw.port, "--port", 10259);
  if (port < 1 || port > 65535) errors.push(`--port: ${port} must be between 1 and 65535 inclusive`);
  const address = raw.address ?? "0.0.0.0";
  if (!isIp(address)) errors.push(`--address: ${JSON.stringify(address)} is not a valid IP address`);
  const profiling = goBool(raw.profiling, "--profiling", false, errors);
  const contention = goBool(raw.contentionProfiling, "--contention-profiling", false, errors);
  if (contention && !profiling) errors.push("--contention-profiling: requires --profiling");
  if (raw.targetKubeconfig === "none" && !raw.controlKubeconfig) {
    errors.push('--target-kubeconfig: "none" requires --control-kubeconfig');
  }
  const elect = goBool(raw.leaderElect, "--leader-elect", true, errors);
  const lease = {
    leaseDurationMs: duration(raw.leaderElectLeaseDuration, "--leader-elect-lease-duration", 15_000),
    renewDeadlineMs: duration(raw.leaderElectRenewDeadline, "--leader-elect-renew-deadline", 10_000),
    retryPeriodMs: duration(raw.leaderElectRetryPeriod, "--leader-elect-retry-period", 2_000),
  };
  if (elect) {
    if (!(lease.leaseDurationMs > lease.renewDeadlineMs)) {
      errors.push("--leader-elect-lease-duration: must be greater than --leader-elect-renew-deadline");
    }
    if (!(lease.renewDeadlineMs > lease.retryPeriodMs)) {
      errors.push("--leader-elect-renew-deadline: must be greater than --leader-elect-retry-period");
    }
    const lock = raw.leaderElectResourceLock ?? "leases";
    if (lock !== "leases") {
      errors.push(`--leader-elect-resource-lock: only "leases" is supported, got ${JSON.stringify(lock)}`);
    }
  }
  const verbosity = int(raw.v, "--v", 0);
  const allowPlainHttp = goBool(raw.metalApiAllowPlainHttp, "--metal-api-allow-plain-http", false, errors);
  const metalUrlProblem = raw.metalApiUrl === undefined
    ? undefined
    : metalApiUrlProblem(raw.metalApiUrl, allowPlainHttp);
  if (metalUrlProblem) errors.push(`--metal-api-url: ${metalUrlProblem}`);
  if (errors.length) return { errors };
  const listenHost = address.includes(":") ? `[${address}]` : address;
  return {
    errors,
    flags: {
      controller,
      controlKubeconfig: raw.controlKubeconfig ?? "",
      targetKubeconfig: raw.targetKubeconfig ?? "",
      listen: `${listenHost}:${port}`,
      leaderElection: elect ? lease : undefined,
      verbosity,
      metalApiUrl: raw.metalApiUrl,
      metalApiAllowPlainHttp: allowPlainHttp,
    },
  };
}
