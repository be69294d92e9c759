/**
 * The machine controller's options, as MCM's `options.go` declares and validates them (MCM HEAD): the flag table
 * (names, Go syntax, defaults, help), the options it resolves into, and MCM's validation rules, every error naming
 * its flag. Durations are Go durations on the command line and milliseconds here.
 */
import {
  defaultValues,
  type FieldsOf,
  fieldsOf,
  flagName,
  inFlagOrder,
  pflag,
  pick,
  type RawValues,
  resolveFlagValues,
  type Values,
} from "../runtime/flags.ts";
import { metalApiUrlProblem } from "../metal/api_url.ts";

const COMPATIBILITY = "accepted for compatibility";

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split(".").every((p) => Number(p) <= 255);
  try {
    new URL(`http://[${s}]/`);
    return s.includes(":");
  } catch {
    return false;
  }
}

function ipAddress(s: string): string {
  if (!isIp(s)) throw new Error(`${JSON.stringify(s)} is not a valid IP address`);
  return s;
}

/** The flags of `machine-controller`; `field` names the field of `MachineControllerOptions` a flag fills. */
export const MCM_FLAGS = {
  controlKubeconfig: pflag.string({
    placeholder: "<path>",
    help: "kubeconfig of the cluster with Machines, MachineClasses and their Secrets (inClusterConfig: the pod's " +
      "service account)",
    default: "",
    defaultText: "the target cluster",
  }),
  targetKubeconfig: pflag.string({
    placeholder: "<path>",
    help: "kubeconfig of the cluster the nodes join (none, the target-less mode, is not supported)",
    default: "",
    defaultText: "in-cluster, else KUBECONFIG or ~/.kube/config",
  }),
  namespace: pflag.string({
    placeholder: "<name>",
    help: "namespace of Machines, MachineClasses, Secrets and the lease",
    default: "default",
    field: "namespace",
  }),
  port: pflag.int({ placeholder: "<port>", help: "port of /healthz, /readyz and /metrics", default: 10259 }),
  address: pflag.string({
    placeholder: "<ip>",
    help: "address of the probe server",
    default: "0.0.0.0",
    parse: ipAddress,
  }),
  concurrentSyncs: pflag.int({ help: "workers per queue", default: 50, field: "concurrentSyncs" }),
  minResyncPeriod: pflag.duration({ help: `${COMPATIBILITY}; watches keep the caches current`, default: "12h" }),
  kubeApiQps: pflag.float({ help: "client QPS per cluster", default: 20, field: "kubeApiQps" }),
  kubeApiBurst: pflag.int({
    help: "client burst per cluster (0: client-go's own burst of 10)",
    default: 30,
    field: "kubeApiBurst",
  }),
  kubeApiContentType: pflag.string({ placeholder: "<type>", help: `${COMPATIBILITY}; JSON is always used` }),
  controllerStartInterval: pflag.string({ placeholder: "<duration>", help: `${COMPATIBILITY}; no effect` }),
  cloudProvider: pflag.string({ placeholder: "<name>", help: `${COMPATIBILITY}; no effect` }),
  profiling: pflag.bool({ help: `${COMPATIBILITY}; no profiling endpoints are served`, default: false }),
  contentionProfiling: pflag.bool({ help: `${COMPATIBILITY} (requires --profiling)`, default: false }),
  machineCreationTimeout: pflag.duration({
    help: "a machine not Running by then turns Failed; also the bootstrap token's lifetime",
    default: "20m",
    field: "machineCreationTimeoutMs",
  }),
  machineHealthTimeout: pflag.duration({
    help: "an Unknown machine turns Failed after this",
    default: "10m",
    field: "machineHealthTimeoutMs",
  }),
  machineDrainTimeout: pflag.duration({
    help: "drain is forced this long after deletion",
    default: "2h",
    field: "machineDrainTimeoutMs",
  }),
  machineMaxEvictRetries: pflag.int({
    help: "eviction retries per pod",
    default: 360,
    field: "machineMaxEvictRetries",
  }),
  machinePvDetachTimeout: pflag.duration({
    help: "wait for volume detach per pod",
    default: "2m",
    field: "machinePvDetachTimeoutMs",
  }),
  machinePvReattachTimeout: pflag.duration({
    help: "wait for volume re-attach elsewhere",
    default: "90s",
    field: "machinePvReattachTimeoutMs",
  }),
  machineSafetyOrphanVmsPeriod: pflag.duration({
    help: "orphan device collection period",
    default: "15m",
    field: "machineSafetyOrphanVmsPeriodMs",
  }),
  machineSafetyApiserverStatuscheckPeriod: pflag.duration({
    help: "API server probe period",
    default: "1m",
    field: "machineSafetyApiserverStatuscheckPeriodMs",
  }),
  machineSafetyApiserverStatuscheckTimeout: pflag.duration({
    help: "API server downtime before machines are frozen",
    default: "30s",
    field: "machineSafetyApiserverStatuscheckTimeoutMs",
  }),
  machineInplaceUpdateTimeout: pflag.duration({
    help: `${COMPATIBILITY}; in-place updates are not supported`,
    default: "20m",
    field: "machineInplaceUpdateTimeoutMs",
  }),
  machinePreserveTimeout: pflag.duration({
    help: "how long a machine stays preserved (annotation node.machine.sapcloud.io/preserve)",
    default: "96h",
    field: "machinePreserveTimeoutMs",
  }),
  nodeConditions: pflag.string({
    placeholder: "<types>",
    help: "node conditions that make a machine unhealthy unless False, comma-separated",
    default: "KernelDeadlock,ReadonlyFilesystem,DiskPressure,NetworkUnavailable",
    field: "nodeConditions",
  }),
  bootstrapTokenAuthExtraGroups: pflag.string({
    placeholder: "<groups>",
    help: "auth-extra-groups of bootstrap tokens",
    default: "",
    field: "bootstrapTokenAuthExtraGroups",
  }),
  resourceExhaustedRetry: pflag.duration({
    help: "requeue after ResourceExhausted", // 0: the long retry
    default: "10m",
    field: "resourceExhaustedRetryMs",
  }),
  leaderElect: pflag.bool({ help: "run only while holding the Lease machine-controller", default: true }),
  leaderElectLeaseDuration: pflag.duration({ help: "lease duration", default: "15s" }),
  leaderElectRenewDeadline: pflag.duration({ help: "renew deadline", default: "10s" }),
  leaderElectRetryPeriod: pflag.duration({ help: "retry period", default: "2s" }),
  leaderElectResourceLock: pflag.string({
    placeholder: "<lock>",
    help: "lock type; only leases is supported",
    default: "leases",
  }),
  v: pflag.int({ placeholder: "<level>", help: "log verbosity; 4 and more: debug logs", default: 0 }),
  metalApiUrl: pflag.string({
    placeholder: "<url>",
    help: "Equinix Metal API base URL",
    defaultText: "the public API",
  }),
  metalApiAllowPlainHttp: pflag.bool({
    help: "allow an http:// --metal-api-url on a host that is not loopback",
    default: false,
  }),
};

type McmFlags = typeof MCM_FLAGS;

/** The flags' text as the command line (or gardenlet's deployment) gives it. */
export type RawMcmOptions = RawValues<McmFlags>;

/** Every tunable of the machine controller: the fields the flags fill, and the target-less mode. */
export type MachineControllerOptions = FieldsOf<McmFlags> & {
  /** Without a target cluster (`--target-kubeconfig=none`): not supported by this implementation. */
  targetless: boolean;
};

/** MCM's defaults. */
export const DEFAULT_OPTIONS: Readonly<MachineControllerOptions> = Object.freeze({
  ...fieldsOf(MCM_FLAGS, defaultValues(MCM_FLAGS)),
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

/** The duration fields and their flags, for error messages. */
const DURATION_FIELDS: [keyof MachineControllerOptions, string][] = Object.entries(MCM_FLAGS).flatMap((
  [key, flag],
): [keyof MachineControllerOptions, string][] =>
  flag.field && flag.syntax === "duration" ? [[flag.field as keyof MachineControllerOptions, flagName(key)]] : []
);

/** The burst a Kubernetes client gets when `--kube-api-burst` is 0 (MCM passes 0 on; client-go then uses 10). */
export const DEFAULT_CLIENT_BURST = 10;

/** The client burst `--kube-api-burst` stands for: the value itself, or the client default for 0. */
export function effectiveKubeApiBurst(o: Pick<MachineControllerOptions, "kubeApiBurst">): number {
  return o.kubeApiBurst === 0 ? DEFAULT_CLIENT_BURST : o.kubeApiBurst;
}

/** Returns every problem of the options (empty when valid), each naming its flag. */
export function validateOptions(o: MachineControllerOptions): string[] {
  const errors: string[] = [];
  if (!o.namespace) errors.push("--namespace: must not be empty");
  if (!Number.isInteger(o.concurrentSyncs) || o.concurrentSyncs <= 0) {
    errors.push(`--concurrent-syncs: must be a positive integer, got ${o.concurrentSyncs}`);
  }
  if (!(o.kubeApiQps > 0)) errors.push(`--kube-api-qps: must be positive, got ${o.kubeApiQps}`);
  if (!Number.isInteger(o.kubeApiBurst) || o.kubeApiBurst < 0) {
    errors.push(`--kube-api-burst: must be a non-negative integer, got ${o.kubeApiBurst}`);
  }
  for (const [field, flag] of DURATION_FIELDS) {
    const v = o[field] as number;
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

/** Lease name of the machine controller (MCM). */
export const LEASE_NAME = "machine-controller";

/** The flags passed on as they are. */
const AS_GIVEN = ["controlKubeconfig", "targetKubeconfig", "metalApiUrl", "metalApiAllowPlainHttp"] as const;

/** Everything the `machine-controller` command needs, resolved and validated. */
export type McmOptions = Pick<Values<McmFlags>, (typeof AS_GIVEN)[number]> & {
  controller: MachineControllerOptions;
  /** `host:port` of the probe server (`--address`, `--port`). */
  listen: string;
  leaderElection?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** `--v`. */
  verbosity: number;
};

/** Resolves and validates the flags; every problem names its flag. */
export function resolveMcmOptions(raw: RawMcmOptions): { options?: McmOptions; errors: string[] } {
  const { values: v, errors } = resolveFlagValues(MCM_FLAGS, raw);
  const controller = { ...fieldsOf(MCM_FLAGS, v), targetless: v.targetKubeconfig === "none" };
  errors.push(...validateOptions(controller));
  if (v.port < 1 || v.port > 65535) errors.push(`--port: ${v.port} must be between 1 and 65535 inclusive`);
  if (v.contentionProfiling && !v.profiling) errors.push("--contention-profiling: requires --profiling");
  if (v.targetKubeconfig === "none" && !v.controlKubeconfig) {
    errors.push('--target-kubeconfig: "none" requires --control-kubeconfig');
  }
  const lease = {
    leaseDurationMs: v.leaderElectLeaseDuration,
    renewDeadlineMs: v.leaderElectRenewDeadline,
    retryPeriodMs: v.leaderElectRetryPeriod,
  };
  if (v.leaderElect) {
    if (!(lease.leaseDurationMs > lease.renewDeadlineMs)) {
      errors.push("--leader-elect-lease-duration: must be greater than --leader-elect-renew-deadline");
    }
    if (!(lease.renewDeadlineMs > lease.retryPeriodMs)) {
      errors.push("--leader-elect-renew-deadline: must be greater than --leader-elect-retry-period");
    }
    if (v.leaderElectResourceLock !== "leases") {
      errors.push(
        `--leader-elect-resource-lock: only "leases" is supported, got ${JSON.stringify(v.leaderElectResourceLock)}`,
      );
    }
  }
  const metalUrlProblem = v.metalApiUrl === undefined
    ? undefined
    : metalApiUrlProblem(v.metalApiUrl, v.metalApiAllowPlainHttp);
  if (metalUrlProblem) errors.push(`--metal-api-url: ${metalUrlProblem}`);
  if (errors.length) return { errors: inFlagOrder(MCM_FLAGS, errors) };
  const listenHost = v.address.includes(":") ? `[${v.address}]` : v.address;
  return {
    errors,
    options: {
      ...pick(v, AS_GIVEN),
      controller,
      listen: `${listenHost}:${v.port}`,
      leaderElection: v.leaderElect ? lease : undefined,
      verbosity: v.v,
    },
  };
}
