/**
 * The machine controller as a running component: connections to the control and target clusters (MCM's kubeconfig
 * rules), start-up checks, the Equinix Metal driver, and a Manager with probes, the `machine-controller` lease and
 * graceful shutdown. `provider-equinix-metal machine-controller` runs it.
 */
import { configureLogging, getLogger, type Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { revokePermission } from "../runtime/permissions.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { type ClusterConnection, inClusterConnection, loadConnection } from "../k8s/client/kubeconfig.ts";
import { Manager } from "../k8s/controller/manager.ts";
import { EquinixMetalDriver } from "./driver/equinix_metal_driver.ts";
import { MachineController } from "./controller/machine_controller.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";
import { effectiveKubeApiBurst, LEASE_NAME, type McmOptions } from "./options.ts";

/** MCM's rules: "" target = in-cluster; "" control = the target's; `inClusterConfig` = in-cluster. */
async function connect(path: string, what: string): Promise<ClusterConnection> {
  try {
    if (path === "inClusterConfig") return await inClusterConnection();
    if (path === "") {
      return Deno.env.get("KUBERNETES_SERVICE_HOST")
        ? await inClusterConnection()
        : await loadConnection({ flag: what });
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

/** One machine controller, as the command builds it: clients, driver, controller and a Manager holding the lease. */
export interface AssembledMachineController {
  control: KubeClient;
  target: KubeClient;
  controller: MachineController;
  manager: Manager;
  /** Closes the clients (after the manager stopped). */
  close(): void;
}

/** Builds a machine controller from resolved flags and the two clusters (the command and the playground share it). */
export function assembleMachineController(opts: {
  flags: McmOptions;
  control: ClusterConnection;
  target: ClusterConnection;
  log: Logger;
  driverLog?: Logger;
  clock?: Clock;
  /** Lease holder identity (default: the leader election's, from the hostname). */
  identity?: string;
  probeAddresses?: string[];
  gracefulShutdownMs?: number;
}): AssembledMachineController {
  const { flags, log, clock } = opts;
  const clientOptions = {
    qps: flags.controller.kubeApiQps,
    burst: effectiveKubeApiBurst(flags.controller),
    userAgent: `${PRODUCT}/${VERSION} machine-controller`,
  };
  const control = new KubeClient(opts.control, clientOptions);
  const target = new KubeClient(opts.target, clientOptions);
  const driver = new EquinixMetalDriver({
    metalApiUrl: flags.metalApiUrl,
    metalApiAllowPlainHttp: flags.metalApiAllowPlainHttp,
    clock,
    log: opts.driverLog ?? log.child("driver"),
  });
  const controller = new MachineController({ control, target, driver, options: flags.controller, clock, log });
  const manager = new Manager({
    client: control,
    probeAddresses: opts.probeAddresses ?? [],
    leaderElection: flags.leaderElection
      ? { namespace: flags.controller.namespace, name: LEASE_NAME, identity: opts.identity, ...flags.leaderElection }
      : undefined,
    gracefulShutdownMs: opts.gracefulShutdownMs,
    clock,
    log: log.child("manager"),
  });
  manager.readiness.add("machine-controller-caches", () => controller.hasSynced() || "caches not synced");
  manager.add(controller);
  return {
    control,
    target,
    controller,
    manager,
    close() {
      control.close();
      target.close();
    },
  };
}

/** Runs the machine controller until SIGTERM/SIGINT; exits non-zero if leadership is lost. */
export async function runMachineController(flags: McmOptions): Promise<void> {
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
  // Running programs is needed only by kubeconfig exec plugins.
  if (!targetConn.execPlugin && !controlConn.execPlugin) revokePermission("run");
  const mc = assembleMachineController({
    flags,
    control: controlConn,
    target: targetConn,
    log,
    driverLog: getLogger("machine-driver"),
    probeAddresses: [flags.listen],
  });
  try {
    await checkControlCluster(mc.control, signal);
    const version = await mc.target.requestJson<{ gitVersion?: string }>("GET", "/version", undefined, signal)
      .catch((e) => {
        throw new Error(`--target-kubeconfig: cannot reach the target API server: ${e.message}`);
      });
    log.info("Starting machine controller", {
      namespace: flags.controller.namespace,
      targetVersion: version.gitVersion,
      listen: flags.listen,
    });
    await mc.manager.start(signal);
    if (mc.manager.lostLeadership) {
      log.error("Leader election lost; exiting");
      Deno.exitCode = 1;
    }
  } finally {
    mc.close();
  }
}
