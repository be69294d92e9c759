/**
 * `provider-equinix-metal machine-controller`: the sidecar gardenlet adds to machine-controller-manager. It manages
 * the Machines of `--namespace` in the control cluster exactly as MCM's machine controller does and creates their
 * devices through the Equinix Metal driver; Nodes join the target cluster. Flags, defaults and their validation are
 * MCM's (HEAD `options.go`); durations use Go syntax. The controller itself (`src/mcm/controller/app.ts`) is loaded
 * only when this command runs.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type RawFlags, resolveFlags } from "../mcm/controller/flags.ts";

const flag = (name: string, value: string, description: string) => new Option(`--${name} <${value}>`, description);
const boolFlag = (name: string, description: string) => new Option(`--${name} [bool]`, description);
const COMPATIBILITY = "accepted for compatibility";

/** Builds the `machine-controller` subcommand. */
export function machineControllerCommand() {
  return new Command("machine-controller")
    .description("run the MCM machine controller with the Equinix Metal driver (machine-controller-manager sidecar)")
    .addOption(
      flag(
        "control-kubeconfig",
        "path",
        "kubeconfig of the cluster with Machines, MachineClasses and their Secrets (inClusterConfig: the pod's " +
          "service account; default: the target cluster)",
      ),
    )
    .addOption(
      flag(
        "target-kubeconfig",
        "path",
        "kubeconfig of the cluster the nodes join (default: in-cluster, else KUBECONFIG or ~/.kube/config; " +
          "none, the target-less mode, is not supported)",
      ),
    )
    .addOption(
      flag("namespace", "name", "namespace of Machines, MachineClasses, Secrets and the lease (default: default)"),
    )
    .addOption(flag("port", "port", "port of /healthz, /readyz and /metrics (default: 10259)"))
    .addOption(flag("address", "ip", "address of the probe server (default: 0.0.0.0)"))
    .addOption(flag("concurrent-syncs", "n", "workers per queue (default: 50)"))
    .addOption(
      flag("min-resync-period", "duration", `${COMPATIBILITY}; watches keep the caches current (default: 12h)`),
    )
    .addOption(flag("kube-api-qps", "n", "client QPS per cluster (default: 20)"))
    .addOption(flag("kube-api-burst", "n", "client burst per cluster (default: 30)"))
    .addOption(flag("kube-api-content-type", "type", `${COMPATIBILITY}; JSON is always used`))
    .addOption(flag("controller-start-interval", "duration", `${COMPATIBILITY}; no effect`))
    .addOption(flag("cloud-provider", "name", `${COMPATIBILITY}; no effect`))
    .addOption(boolFlag("profiling", `${COMPATIBILITY}; no profiling endpoints are served`))
    .addOption(boolFlag("contention-profiling", `${COMPATIBILITY} (requires --profiling)`))
    .addOption(
      flag(
        "machine-creation-timeout",
        "duration",
        "a machine not Running by then turns Failed; also the bootstrap token's lifetime (default: 20m)",
      ),
    )
    .addOption(flag("machine-health-timeout", "duration", "an Unknown machine turns Failed after this (default: 10m)"))
    .addOption(flag("machine-drain-timeout", "duration", "drain is forced this long after deletion (default: 2h)"))
    .addOption(flag("machine-max-evict-retries", "n", "eviction retries per pod (default: 360)"))
    .addOption(flag("machine-pv-detach-timeout", "duration", "wait for volume detach per pod (default: 2m)"))
    .addOption(flag("machine-pv-reattach-timeout", "duration", "wait for volume re-attach elsewhere (default: 90s)"))
    .addOption(flag("machine-safety-orphan-vms-period", "duration", "orphan device collection period (default: 15m)"))
    .addOption(flag("machine-safety-apiserver-statuscheck-period", "duration", "API server probe period (default: 1m)"))
    .addOption(
      flag(
        "machine-safety-apiserver-statuscheck-timeout",
        "duration",
        "API server downtime before machines are frozen (default: 30s)",
      ),
    )
    .addOption(
      flag(
        "machine-inplace-update-timeout",
        "duration",
        `${COMPATIBILITY}; in-place updates are not supported (default: 20m)`,
      ),
    )
    .addOption(
      flag(
        "machine-preserve-timeout",
        "duration",
        `${COMPATIBILITY}; machine preservation is not supported (default: 96h)`,
      ),
    )
    .addOption(
      flag(
        "node-conditions",
        "types",
        "node conditions that make a machine unhealthy unless False, comma-separated (default: KernelDeadlock," +
          "ReadonlyFilesystem,DiskPressure,NetworkUnavailable)",
      ),
    )
    .addOption(flag("bootstrap-token-auth-extra-groups", "groups", "auth-extra-groups of bootstrap tokens"))
    .addOption(flag("resource-exhausted-retry", "duration", "requeue after ResourceExhausted (default: 10m)"))
    .addOption(boolFlag("leader-elect", "run only while holding the Lease machine-controller (default: true)"))
    .addOption(flag("leader-elect-lease-duration", "duration", "lease duration (default: 15s)"))
    .addOption(flag("leader-elect-renew-deadline", "duration", "renew deadline (default: 10s)"))
    .addOption(flag("leader-elect-retry-period", "duration", "retry period (default: 2s)"))
    .addOption(flag("leader-elect-resource-lock", "lock", "lock type; only leases is supported (default: leases)"))
    .addOption(flag("v", "level", "log verbosity; 4 and more: debug logs (default: 0)"))
    .addOption(flag("metal-api-url", "url", "Equinix Metal API base URL (default: the public API)"))
    .action(async (opts, cmd) => {
      const { flags, errors } = resolveFlags(opts as RawFlags);
      if (!flags) return cmd.error(`invalid flags: ${errors.join("; ")}`);
      const { runMachineController } = await import("../mcm/controller/app.ts");
      await runMachineController(flags);
    });
}
