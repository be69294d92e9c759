/**
 * `provider-equinix-metal machine-controller`: the sidecar gardenlet adds to machine-controller-manager. It manages
 * the Machines of `--namespace` in the control cluster exactly as MCM's machine controller does and creates their
 * devices through the Equinix Metal driver; Nodes join the target cluster. Flags, defaults and their validation are
 * MCM's (HEAD `options.go`); durations use Go syntax. The controller itself (`src/mcm/app.ts`) is loaded
 * only when this command runs.
 */
import { resolveFlags } from "../mcm/controller/flags.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { bool, command, UsageError, value } from "./parser.ts";

const flag = (placeholder: string, help: string) => value(`<${placeholder}>`, help);
const COMPATIBILITY = "accepted for compatibility";

/** The `machine-controller` command. */
export const machineControllerCommand = command({
  name: "machine-controller",
  summary: "run the MCM machine controller with the Equinix Metal driver (machine-controller-manager sidecar)",
  flags: {
    controlKubeconfig: flag(
      "path",
      "kubeconfig of the cluster with Machines, MachineClasses and their Secrets (inClusterConfig: the pod's " +
        "service account; default: the target cluster)",
    ),
    targetKubeconfig: flag(
      "path",
      "kubeconfig of the cluster the nodes join (default: in-cluster, else KUBECONFIG or ~/.kube/config; " +
        "none, the target-less mode, is not supported)",
    ),
    namespace: flag("name", "namespace of Machines, MachineClasses, Secrets and the lease (default: default)"),
    port: flag("port", "port of /healthz, /readyz and /metrics (default: 10259)"),
    address: flag("ip", "address of the probe server (default: 0.0.0.0)"),
    concurrentSyncs: flag("n", "workers per queue (default: 50)"),
    minResyncPeriod: flag("duration", `${COMPATIBILITY}; watches keep the caches current (default: 12h)`),
    kubeApiQps: flag("n", "client QPS per cluster (default: 20)"),
    kubeApiBurst: flag("n", "client burst per cluster (default: 30)"),
    kubeApiContentType: flag("type", `${COMPATIBILITY}; JSON is always used`),
    controllerStartInterval: flag("duration", `${COMPATIBILITY}; no effect`),
    cloudProvider: flag("name", `${COMPATIBILITY}; no effect`),
    profiling: bool(`${COMPATIBILITY}; no profiling endpoints are served`),
    contentionProfiling: bool(`${COMPATIBILITY} (requires --profiling)`),
    machineCreationTimeout: flag(
      "duration",
      "a machine not Running by then turns Failed; also the bootstrap token's lifetime (default: 20m)",
    ),
    machineHealthTimeout: flag("duration", "an Unknown machine turns Failed after this (default: 10m)"),
    machineDrainTimeout: flag("duration", "drain is forced this long after deletion (default: 2h)"),
    machineMaxEvictRetries: flag("n", "eviction retries per pod (default: 360)"),
    machinePvDetachTimeout: flag("duration", "wait for volume detach per pod (default: 2m)"),
    machinePvReattachTimeout: flag("duration", "wait for volume re-attach elsewhere (default: 90s)"),
    machineSafetyOrphanVmsPeriod: flag("duration", "orphan device collection period (default: 15m)"),
    machineSafetyApiserverStatuscheckPeriod: flag("duration", "API server probe period (default: 1m)"),
    machineSafetyApiserverStatuscheckTimeout: flag(
      "duration",
      "API server downtime before machines are frozen (default: 30s)",
    ),
    machineInplaceUpdateTimeout: flag(
      "duration",
      `${COMPATIBILITY}; in-place updates are not supported (default: 20m)`,
    ),
    machinePreserveTimeout: flag("duration", `${COMPATIBILITY}; machine preservation is not supported (default: 96h)`),
    nodeConditions: flag(
      "types",
      "node conditions that make a machine unhealthy unless False, comma-separated (default: KernelDeadlock," +
        "ReadonlyFilesystem,DiskPressure,NetworkUnavailable)",
    ),
    bootstrapTokenAuthExtraGroups: flag("groups", "auth-extra-groups of bootstrap tokens"),
    resourceExhaustedRetry: flag("duration", "requeue after ResourceExhausted (default: 10m)"),
    leaderElect: bool("run only while holding the Lease machine-controller (default: true)"),
    leaderElectLeaseDuration: flag("duration", "lease duration (default: 15s)"),
    leaderElectRenewDeadline: flag("duration", "renew deadline (default: 10s)"),
    leaderElectRetryPeriod: flag("duration", "retry period (default: 2s)"),
    leaderElectResourceLock: flag("lock", "lock type; only leases is supported (default: leases)"),
    v: flag("level", "log verbosity; 4 and more: debug logs (default: 0)"),
    metalApiUrl: flag("url", "Equinix Metal API base URL (default: the public API)"),
    metalApiAllowPlainHttp: bool("allow an http:// --metal-api-url on a host that is not loopback (default: false)"),
  },
  async run(opts) {
    // No files written, no programs run (run comes back only for a kubeconfig exec plugin: see runMachineController).
    keepOnlyPermissions(["read", "net", "env", "sys", "run"]);
    const { flags, errors } = resolveFlags(opts);
    if (!flags) throw new UsageError(`invalid flags: ${errors.join("; ")}`, "machine-controller");
    const { runMachineController } = await import("../mcm/app.ts");
    await runMachineController(flags);
  },
});
