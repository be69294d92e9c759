/**
 * `provider-equinix-metal machine-controller`: the sidecar gardenlet adds to machine-controller-manager. It manages
 * the Machines of `--namespace` in the control cluster exactly as MCM's machine controller does and creates their
 * devices through the Equinix Metal driver; Nodes join the target cluster. Flags, defaults and their validation are
 * MCM's (HEAD `options.go`); durations use Go syntax. The controller itself (`src/mcm/controller/app.ts`) is loaded
 * only when this command runs.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type RawFlags, resolveFlags } from "../mcm/controller/flags.ts";

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
    .addOption(
      new Option("--metal-api-allow-plain-http [enabled]", "allow an http:// --metal-api-url on a non-loopback host"),
    )
    .action(async (opts, cmd) => {
      const { flags, errors } = resolveFlags(opts as RawFlags);
      if (!flags) cmd.error(`error: invalid flags:\n  ${errors.join("\n  ")}`, { exitCode: 2 });
      const { runMachineController } = await import("../mcm/controller/app.ts");
      await runMachineController(flags!);
    });
}
