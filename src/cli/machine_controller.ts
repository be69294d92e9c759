/**
 * `provider-equinix-metal machine-controller`: the sidecar gardenlet adds to machine-controller-manager. It manages
 * the Machines of `--namespace` in the control cluster exactly as MCM's machine controller does and creates their
 * devices through the Equinix Metal driver; Nodes join the target cluster. Flags, defaults and their validation are
 * MCM's (HEAD `options.go`); durations use Go syntax.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { configureLogging, getLogger } from "../observability/log.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { parseDuration } from "../apis/duration.ts";
import { KubeClient } from "../k8s/client.ts";
import { type ClusterConnection, inClusterConnection, loadConnection } from "../k8s/kubeconfig.ts";
import { Manager } from "../k8s/manager.ts";
import { EquinixMetalDriver } from "../mcm/driver/equinix_metal_driver.ts";
import { MachineController } from "../mcm/controller/machine_controller.ts";
import {
  DEFAULT_OPTIONS,
  type MachineControllerOptions,
  validateOptions,
  withDefaults,
} from "../mcm/controller/options.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";

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
}

/** Lease name of the machine controller (MCM). */
export const LEASE_NAME = "machine-controller";

function goBool(v: string | boolean | undefined, flag: string, fallback: boolean, errors: string[]): boolean {
  if (v === undefined) return fallback;
  if (typeof v === "boolean") return v;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  errors.push(`${flag}: invalid boolean ${JSON.stringify(v)}`);
  return fallback;
}

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
  if (raw.metalApiUrl !== undefined) {
    try {
      new URL(raw.metalApiUrl);
    } catch {
      errors.push(`--metal-api-url: not an absolute URL: ${JSON.stringify(raw.metalApiUrl)}`);
    }
  }
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
    },
  };
}

/** MCM's rules: "" target = in-cluster; "" control = the target's; `inClusterConfig` = in-cluster. */
async function connect(path: string, what: string): Promise<ClusterConnection> {
  try {
    if (path === "inClusterConfig") return await inClusterConnection();
    if (path === "") {
      return Deno.env.get("KUBERNETES_SERVICE_HOST") ? await inClusterConnection() : await loadConnection();
    }
    return await loadConnection({ path });
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Waits (up to 10 s, polling every second) for the control API server and checks the Machine API is served. */
async function checkControlCluster(client: KubeClient, signal: AbortSignal): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 10 && !signal.aborted; i++) {
    try {
      // /version is JSON (requestJson's format) and answered exactly when /healthz is.
      await client.requestJson("GET", "/version", undefined, signal);
      last = undefined;
      break;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  if (last) throw new Error(`--control-kubeconfig: API server not healthy: ${(last as Error).message ?? last}`);
  const resources = await client.requestJson<{ resources?: Array<{ name: string }> }>(
    "GET",
    "/apis/machine.sapcloud.io/v1alpha1",
    undefined,
    signal,
  ).catch((e) => {
    throw new Error(`--control-kubeconfig: the Machine API (machine.sapcloud.io/v1alpha1) is not served: ${e.message}`);
  });
  if (!resources.resources?.some((r) => r.name === "machines")) {
    throw new Error("--control-kubeconfig: resource machine.sapcloud.io/v1alpha1 machines is not served");
  }
}

/** Runs the machine controller until SIGTERM/SIGINT; exits non-zero if leadership is lost. */
export async function runMachineController(flags: ResolvedFlags): Promise<void> {
  const log = getLogger("machine-controller");
  if (flags.verbosity >= 4) configureLogging({ level: "debug" });
  if (flags.controller.targetless) {
    throw new Error(
      '--target-kubeconfig: "none" (target-less mode) is not implemented by this machine controller; ' +
        "give it the kubeconfig of the cluster the nodes join",
    );
  }
  const signal = shutdownSignal(log);
  const targetConn = await connect(flags.targetKubeconfig, "--target-kubeconfig");
  const controlConn = flags.controlKubeconfig === ""
    ? targetConn
    : await connect(flags.controlKubeconfig, "--control-kubeconfig");
  const clientOptions = {
    qps: flags.controller.kubeApiQps,
    burst: flags.controller.kubeApiBurst,
    userAgent: `${PRODUCT}/${VERSION} machine-controller`,
  };
  const control = new KubeClient(controlConn, clientOptions);
  const target = new KubeClient(targetConn, clientOptions);
  try {
    await checkControlCluster(control, signal);
    const version = await target.requestJson<{ gitVersion?: string }>("GET", "/version", undefined, signal)
      .catch((e) => {
        throw new Error(`--target-kubeconfig: cannot reach the target API server: ${e.message}`);
      });
    log.info("Starting machine controller", {
      namespace: flags.controller.namespace,
      targetVersion: version.gitVersion,
      listen: flags.listen,
    });
    const driver = new EquinixMetalDriver({ metalApiUrl: flags.metalApiUrl, log: getLogger("machine-driver") });
    const controller = new MachineController({ control, target, driver, options: flags.controller, log });
    const manager = new Manager({
      client: control,
      probeAddresses: [flags.listen],
      leaderElection: flags.leaderElection
        ? { namespace: flags.controller.namespace, name: LEASE_NAME, ...flags.leaderElection }
        : undefined,
      log: log.child("manager"),
    });
    manager.readiness.add("machine-controller-caches", () => controller.hasSynced() || "caches not synced");
    manager.add(controller);
    await manager.start(signal);
    if (manager.lostLeadership) {
      log.error("Leader election lost; exiting");
      Deno.exitCode = 1;
    }
  } finally {
    control.close();
    target.close();
  }
}

const flag = (name: string, description: string) => new Option(`--${name} <value>`, description);

/** Builds the `machine-controller` subcommand. */
export function machineControllerCommand() {
  return new Command("machine-controller")
    .description("run the MCM machine controller with the Equinix Metal driver (machine-controller-manager sidecar)")
    .addOption(flag("control-kubeconfig", "cluster with Machines and MachineClasses (inClusterConfig; empty: target)"))
    .addOption(flag("target-kubeconfig", "cluster the nodes join (empty: in-cluster; none: target-less)"))
    .addOption(flag("namespace", "namespace of Machines, MachineClasses, Secrets and the lease (default default)"))
    .addOption(flag("port", "port of /healthz, /readyz and /metrics (default 10259)"))
    .addOption(flag("address", "address of the probe server (default 0.0.0.0)"))
    .addOption(flag("concurrent-syncs", "workers per queue (default 50)"))
    .addOption(flag("min-resync-period", "accepted for compatibility (default 12h)"))
    .addOption(flag("kube-api-qps", "client QPS per cluster (default 20)"))
    .addOption(flag("kube-api-burst", "client burst per cluster (default 30)"))
    .addOption(flag("kube-api-content-type", "accepted for compatibility (JSON is used)"))
    .addOption(flag("controller-start-interval", "accepted for compatibility"))
    .addOption(flag("cloud-provider", "accepted for compatibility"))
    .addOption(new Option("--profiling [enabled]", "accepted for compatibility"))
    .addOption(new Option("--contention-profiling [enabled]", "accepted for compatibility (requires --profiling)"))
    .addOption(flag("machine-creation-timeout", "Pending/CrashLoopBackOff → Failed; bootstrap token expiry (20m)"))
    .addOption(flag("machine-health-timeout", "Unknown → Failed (10m)"))
    .addOption(flag("machine-drain-timeout", "force drain after this since deletion (2h)"))
    .addOption(flag("machine-max-evict-retries", "eviction retries per pod (360)"))
    .addOption(flag("machine-pv-detach-timeout", "wait for volume detach per pod (2m)"))
    .addOption(flag("machine-pv-reattach-timeout", "wait for volume re-attach elsewhere (90s)"))
    .addOption(flag("machine-safety-orphan-vms-period", "orphan device collection period (15m)"))
    .addOption(flag("machine-safety-apiserver-statuscheck-period", "API server probe period (1m)"))
    .addOption(flag("machine-safety-apiserver-statuscheck-timeout", "downtime before freezing (30s)"))
    .addOption(flag("machine-inplace-update-timeout", "accepted (20m)"))
    .addOption(flag("machine-preserve-timeout", "accepted (96h)"))
    .addOption(flag("node-conditions", "conditions that make a machine unhealthy unless False"))
    .addOption(flag("bootstrap-token-auth-extra-groups", "auth-extra-groups of bootstrap tokens"))
    .addOption(flag("resource-exhausted-retry", "requeue after ResourceExhausted (10m)"))
    .addOption(new Option("--leader-elect [enabled]", "leader election on Lease machine-controller (default true)"))
    .addOption(flag("leader-elect-lease-duration", "lease duration (15s)"))
    .addOption(flag("leader-elect-renew-deadline", "renew deadline (10s)"))
    .addOption(flag("leader-elect-retry-period", "retry period (2s)"))
    .addOption(flag("leader-elect-resource-lock", "only leases"))
    .addOption(flag("v", "verbosity, accepted for compatibility (4 and more: debug logs)"))
    .addOption(flag("metal-api-url", "Equinix Metal API base URL (default: the public API)"))
    .action(async (opts, cmd) => {
      const { flags, errors } = resolveFlags(opts as RawFlags);
      if (!flags) cmd.error(`error: invalid flags:\n  ${errors.join("\n  ")}`, { exitCode: 2 });
      await runMachineController(flags!);
    });
}
