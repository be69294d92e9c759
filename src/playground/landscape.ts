/**
 * What surrounds our components in the playground: a fake seed API server with the CRDs, one fake API server per
 * shoot (the target cluster of that shoot's machine controller), the Metal API simulator served over loopback HTTP,
 * and the clearly labelled simulations of a landscape — gardenlet's shoot flow, MCM's MachineDeployment/MachineSet
 * controllers (seed-wide) and one node simulation per shoot. `stop()` stops everything it started, in reverse order.
 */
import { KubeClient } from "../k8s/client/client.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { type ApiServer, startApiServer } from "../sim/apiserver/mod.ts";
import { GardenletSimulation, type ShootRef } from "../sim/gardenlet/mod.ts";
import { MachineDeploymentSimulation } from "../sim/machinedeployments/mod.ts";
import { type DeviceTimings, MetalSimulator } from "../sim/metal/mod.ts";
import { NodeSimulator } from "../sim/nodes/mod.ts";
import { ShootDevices } from "./shoot_devices.ts";

/** Interval of watch BOOKMARK events: about kube-apiserver's (roughly once a minute), not the fake server's 1 s. */
export const BOOKMARK_INTERVAL_MS = 60_000;

/** Namespace of the extension's leader-election and heartbeat leases in the seed. */
export const EXTENSION_NAMESPACE = "extension-provider-equinix-metal";

/** How to build the landscape. */
export interface LandscapeOptions {
  clock: Clock;
  log: Logger;
  crds: KubeObject[];
  /** Technical IDs of the shoots (one API server each). */
  shoots: string[];
  /** Directory of the kubeconfig files. */
  dir: string;
  /** Seed kubeconfig path (default `<dir>/kubeconfig`). */
  seedKubeconfig?: string;
  seedPort?: number;
  metalTimings: Partial<DeviceTimings>;
  /** Seeds the simulator's ids and fault decisions and the API servers' fault decisions. */
  randomSeed: number;
  /** Watch events kept for resuming watches (large runs need more than the default). */
  watchHistory?: number;
  /** Poll period of the node simulations (default 1 s). */
  nodePollMs?: number;
  /** Delay before the node simulation removes the critical-components taint (default 2 s). */
  criticalComponentsTaintMs?: number;
  /** Gardenlet simulation notices (re-annotation after a user's change). */
  onNotice?: (message: string) => void;
  /** Where gardenlet deploys and deletes a shoot's machine-controller-manager in its flow. */
  deployMachineControllerManager?: (shoot: ShootRef) => Promise<void>;
  destroyMachineControllerManager?: (shoot: ShootRef) => Promise<void>;
}

/** One shoot's API server. */
export interface ShootCluster {
  technicalId: string;
  api: ApiServer;
  kubeconfig: string;
}

/** The running landscape. */
export interface Landscape {
  seed: ApiServer;
  seedKubeconfig: string;
  seedClient: KubeClient;
  shoots: Map<string, ShootCluster>;
  metal: MetalSimulator;
  metalUrl: string;
  devices: ShootDevices;
  gardenlet: GardenletSimulation;
  machineDeployments: MachineDeploymentSimulation;
  nodes: Map<string, NodeSimulator>;
  /** Every API server (seed first). */
  apiServers(): ApiServer[];
  stop(): Promise<void>;
}

/**
 * Waits for `work` while closing every watch stream of the servers every 200 ms (real time). An informer whose watch
 * was aborted can stay blocked on the stream until the server sends something (its next bookmark: up to a minute),
 * so teardown ends the streams from the server side, as a stopping API server does.
 */
export async function releasingWatches(servers: () => ApiServer[], work: Promise<unknown>): Promise<void> {
  let done = false;
  const finished = work.finally(() => (done = true));
  while (!done) {
    for (const s of servers()) s.faults.dropWatches();
    await Promise.race([finished, new Promise((r) => setTimeout(r, 200))]);
  }
  await finished;
}

/** Starts the landscape; on failure stops what was started and rethrows. */
export async function startLandscape(opts: LandscapeOptions): Promise<Landscape> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        opts.log.error("Stopping a part of the landscape failed", { error: e });
      }
    }
    cleanups.length = 0;
  };
  try {
    const { clock, log } = opts;
    const seed = await startApiServer({
      clock,
      port: opts.seedPort ?? 0,
      seed: opts.randomSeed,
      watchHistory: opts.watchHistory,
      bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
      namespaces: ["default", "kube-system", "kube-public", "kube-node-lease", "garden", EXTENSION_NAMESPACE],
      log: log.child("seed-apiserver"),
    });
    cleanups.push(() => seed.stop());
    await seed.installCrds(opts.crds);
    const seedKubeconfig = opts.seedKubeconfig ?? `${opts.dir}/kubeconfig`;
    await seed.writeKubeconfig(seedKubeconfig);

    const shoots = new Map<string, ShootCluster>();
    for (const [i, technicalId] of opts.shoots.entries()) {
      const api = await startApiServer({
        clock,
        seed: opts.randomSeed + 1 + i,
        watchHistory: opts.watchHistory,
        bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
        log: log.child("shoot-apiserver").with({ shoot: technicalId }),
      });
      cleanups.push(() => api.stop());
      const kubeconfig = `${opts.dir}/shoot-${technicalId}.kubeconfig`;
      await api.writeKubeconfig(kubeconfig);
      shoots.set(technicalId, { technicalId, api, kubeconfig });
    }

    const metal = new MetalSimulator({
      clock,
      randomSeed: opts.randomSeed,
      timings: opts.metalTimings,
      log: log.child("metal-simulator"),
    });
    const served = await metal.serve();
    cleanups.push(() => metal.close());
    cleanups.push(() => served.stop());
    const devices = new ShootDevices(metal, clock);

    const clients: KubeClient[] = [];
    const client = (api: ApiServer) => {
      const c = new KubeClient(api.connection());
      clients.push(c);
      return c;
    };
    cleanups.push(() => clients.forEach((c) => c.close()));

    const simulations = new AbortController();
    const running: Promise<void>[] = [];
    cleanups.push(async () => {
      simulations.abort();
      await releasingWatches(() => [seed, ...[...shoots.values()].map((s) => s.api)], Promise.all(running));
    });
    const seedClient = client(seed);
    const gardenlet = new GardenletSimulation({
      client: seedClient,
      clock,
      log: log.child("sim.gardenlet"),
      onNotice: opts.onNotice,
      deployMachineControllerManager: opts.deployMachineControllerManager,
      destroyMachineControllerManager: opts.destroyMachineControllerManager,
    });
    running.push(gardenlet.start(simulations.signal));
    const machineDeployments = new MachineDeploymentSimulation({
      client: client(seed),
      clock,
      log: log.child("sim.machinedeployments"),
    });
    running.push(machineDeployments.start(simulations.signal));
    const nodes = new Map<string, NodeSimulator>();
    for (const shoot of shoots.values()) {
      const sim = new NodeSimulator({
        client: client(shoot.api),
        devices: devices.of(shoot.technicalId),
        clock,
        pollMs: opts.nodePollMs ?? 1000,
        criticalComponentsTaintMs: opts.criticalComponentsTaintMs ?? 2000,
        log: log.child("sim.nodes").with({ shoot: shoot.technicalId }),
      });
      nodes.set(shoot.technicalId, sim);
      running.push(sim.start(simulations.signal));
    }
    await gardenlet.waitForSync(simulations.signal);

    return {
      seed,
      seedKubeconfig,
      seedClient,
      shoots,
      metal,
      metalUrl: served.url,
      devices,
      gardenlet,
      machineDeployments,
      nodes,
      apiServers: () => [seed, ...[...shoots.values()].map((s) => s.api)],
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
