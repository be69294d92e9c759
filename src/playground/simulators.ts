/**
 * The simulated part of a landscape, around our components: a fake seed API server with the CRDs, one fake API server
 * per shoot (the target cluster of that shoot's machine controller), the Metal API simulator served over loopback
 * HTTP, and the clearly labelled simulations — gardenlet's shoot flow, MCM's MachineDeployment/MachineSet controllers
 * (seed-wide) and one node simulation per shoot. `stop()` stops everything it started, in reverse order.
 */
import { KubeClient } from "../k8s/client/client.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { type ApiServer, startApiServer } from "../sim/apiserver/mod.ts";
import { GardenletSimulation, type ShootRef } from "../sim/gardenlet/mod.ts";
import { MachineDeploymentSimulation } from "../sim/machinedeployments/mod.ts";
import {
  DEFAULT_SEED,
  type DeviceTimings,
  MetalSimulator,
  type ReservationRequest,
  type SeedData,
  withHardwareReservations,
} from "../sim/metal/mod.ts";
import { NodeSimulator } from "../sim/nodes/mod.ts";
import { DeploymentKubelet } from "../sim/kubelet/mod.ts";
import { type ResourceManagerOptions, ResourceManagerSimulation } from "../sim/resourcemanager/mod.ts";
import type { ClusterConnection } from "../k8s/client/kubeconfig.ts";
import { ShootDevices } from "./shoot_devices.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "./crds.ts";

/** Interval of watch BOOKMARK events: about kube-apiserver's (roughly once a minute), not the fake server's 1 s. */
export const BOOKMARK_INTERVAL_MS = 60_000;

/** Namespace of the extension's leader-election and heartbeat leases in the seed. */
export const EXTENSION_NAMESPACE = "extension-provider-equinix-metal";

/** How to build the simulators. */
export interface SimulatorsOptions {
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
  /** The Metal simulator's world (default: `playgroundMetalSeed([])`). */
  metalSeed?: SeedData;
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
  /** The connection of a shoot's cloud-controller-manager (default: the admin's). */
  ccmConnection?: (shoot: ShootCluster) => ClusterConnection;
  /** The resource manager's edit of an MR's objects, and who is told what it applied (`ResourceManagerOptions`). */
  resourceManager?: Pick<ResourceManagerOptions, "edit" | "onApplied">;
}

/** One shoot's API server. */
export interface ShootCluster {
  technicalId: string;
  api: ApiServer;
  kubeconfig: string;
}

/** The running simulators. */
export interface Simulators {
  seed: ApiServer;
  seedKubeconfig: string;
  /** The garden, where gardenlet keeps the Shoots (their lastOperation and conditions). */
  garden: ApiServer;
  gardenKubeconfig: string;
  seedClient: KubeClient;
  shoots: Map<string, ShootCluster>;
  metal: MetalSimulator;
  metalUrl: string;
  devices: ShootDevices;
  gardenlet: GardenletSimulation;
  machineDeployments: MachineDeploymentSimulation;
  nodes: Map<string, NodeSimulator>;
  /** gardener-resource-manager: the ManagedResources of every shoot namespace. */
  resourceManager: ResourceManagerSimulation;
  /** The pods behind Deployments: the seed's first, then one per shoot. */
  kubelets: DeploymentKubelet[];
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

/** Undo steps run last-in first-out; a failing step is logged and the others still run. */
class Teardown {
  private readonly steps: Array<() => Promise<void> | void> = [];

  constructor(private readonly log: Logger) {}

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (e) {
        this.log.error("Stopping a part of the landscape failed", { error: e });
      }
    }
    this.steps.length = 0;
  }
}

/** The seed API server with the CRDs and the extension's namespace; its kubeconfig written. */
async function startSeedApiServer(opts: SimulatorsOptions, teardown: Teardown) {
  const seed = await startApiServer({
    clock: opts.clock,
    port: opts.seedPort ?? 0,
    seed: opts.randomSeed,
    watchHistory: opts.watchHistory,
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    namespaces: ["default", "kube-system", "kube-public", "kube-node-lease", "garden", EXTENSION_NAMESPACE],
    log: opts.log.child("seed-apiserver"),
  });
  teardown.push(() => seed.stop());
  await seed.installCrds(opts.crds);
  const seedKubeconfig = opts.seedKubeconfig ?? `${opts.dir}/kubeconfig`;
  await seed.writeKubeconfig(seedKubeconfig);
  return { seed, seedKubeconfig };
}

/** The garden API server with the garden CRDs (Shoot, CloudProfile, …); its kubeconfig written next to the seed's. */
async function startGardenApiServer(opts: SimulatorsOptions, teardown: Teardown) {
  const garden = await startApiServer({
    clock: opts.clock,
    seed: opts.randomSeed + 1000,
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    namespaces: ["default", "garden"],
    log: opts.log.child("garden-apiserver"),
  });
  teardown.push(() => garden.stop());
  await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
  const gardenKubeconfig = `${opts.dir}/garden.kubeconfig`;
  await garden.writeKubeconfig(gardenKubeconfig);
  return { garden, gardenKubeconfig };
}

/** One API server per shoot, each with its kubeconfig in the directory. */
async function startShootClusters(opts: SimulatorsOptions, teardown: Teardown): Promise<Map<string, ShootCluster>> {
  const shoots = new Map<string, ShootCluster>();
  for (const [i, technicalId] of opts.shoots.entries()) {
    const api = await startApiServer({
      clock: opts.clock,
      seed: opts.randomSeed + 1 + i,
      watchHistory: opts.watchHistory,
      bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
      log: opts.log.child("shoot-apiserver").with({ shoot: technicalId }),
    });
    teardown.push(() => api.stop());
    const kubeconfig = `${opts.dir}/shoot-${technicalId}.kubeconfig`;
    await api.writeKubeconfig(kubeconfig);
    shoots.set(technicalId, { technicalId, api, kubeconfig });
  }
  return shoots;
}

/** The operator's SSH keys in every playground run: a project key and one of the operator's user (org member). */
export const OPERATOR_SSH_KEYS = {
  project:
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIPWqzf6A4fowhhjtgK4dEcg+UiRkuxg6ed6uH3C0etv operator-project@playground",
  user: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID3oP91Qt65d310y5YKryK0GzP8tljYHiWnbEPH/+jiE operator-user@playground",
} as const;

/**
 * The Metal world of a playground run: the simulator's default organisations, projects and reservations, the
 * reservations asked for in the first project, and the operator's SSH keys — a project key and a user key, which
 * Metal installs on every device created without `no_ssh_keys` and without keys of its own, so that the scenario can
 * check that no device carries a key its shoot did not ask for.
 */
export function playgroundMetalSeed(reservations: ReservationRequest[]): SeedData {
  const project = DEFAULT_SEED.projects![0].name;
  const operator = DEFAULT_SEED.users![0].email;
  return withHardwareReservations(
    {
      ...DEFAULT_SEED,
      sshKeys: [
        { label: "operator", key: OPERATOR_SSH_KEYS.project, project },
        { label: "operator laptop", key: OPERATOR_SSH_KEYS.user, user: operator },
      ],
    },
    project,
    reservations,
  );
}

/** The Metal API simulator served over loopback HTTP (our client's real HTTP path). */
async function serveMetal(opts: SimulatorsOptions, teardown: Teardown) {
  const metal = new MetalSimulator({
    seed: opts.metalSeed ?? playgroundMetalSeed([]),
    clock: opts.clock,
    randomSeed: opts.randomSeed,
    timings: opts.metalTimings,
    log: opts.log.child("metal-simulator"),
  });
  const served = await metal.serve();
  teardown.push(() => metal.close());
  teardown.push(() => served.stop());
  return { metal, metalUrl: served.url, devices: new ShootDevices(metal, opts.clock) };
}

/** Gardenlet's shoot flow, MCM's MachineDeployment controllers and the nodes; resolves once gardenlet's cache synced. */
async function startSimulations(
  opts: SimulatorsOptions,
  teardown: Teardown,
  parts: { seed: ApiServer; garden: ApiServer; shoots: Map<string, ShootCluster>; devices: ShootDevices },
) {
  const { clock, log } = opts;
  const { seed, garden, shoots, devices } = parts;
  const clients: KubeClient[] = [];
  const client = (api: ApiServer, connection = api.connection()) => {
    const c = new KubeClient(connection);
    clients.push(c);
    return c;
  };
  teardown.push(() => clients.forEach((c) => c.close()));

  const simulations = new AbortController();
  const running: Promise<void>[] = [];
  teardown.push(async () => {
    simulations.abort();
    await releasingWatches(() => [seed, garden, ...[...shoots.values()].map((s) => s.api)], Promise.all(running));
  });
  const seedClient = client(seed);
  const gardenlet = new GardenletSimulation({
    client: seedClient,
    garden: client(garden),
    clock,
    log: log.child("sim.gardenlet"),
    onNotice: opts.onNotice,
    deployMachineControllerManager: opts.deployMachineControllerManager,
    destroyMachineControllerManager: opts.destroyMachineControllerManager,
    shootKubeconfig: (shoot) => shoots.get(shoot.technicalId)?.api.kubeconfigYaml(),
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
      cloudControllerManager: opts.ccmConnection ? client(shoot.api, opts.ccmConnection(shoot)) : undefined,
      devices: devices.of(shoot.technicalId),
      clock,
      pollMs: opts.nodePollMs ?? 1000,
      criticalComponentsTaintMs: opts.criticalComponentsTaintMs ?? 2000,
      log: log.child("sim.nodes").with({ shoot: shoot.technicalId }),
    });
    nodes.set(shoot.technicalId, sim);
    running.push(sim.start(simulations.signal));
  }
  const shootClients = new Map([...shoots.values()].map((s) => [s.technicalId, client(s.api)]));
  const resourceManager = new ResourceManagerSimulation({
    seed: client(seed),
    shootClient: (namespace) => shootClients.get(namespace),
    ...opts.resourceManager,
    clock,
    log: log.child("sim.resourcemanager"),
  });
  running.push(resourceManager.start(simulations.signal));
  const kubelets = [seed, ...[...shoots.values()].map((s) => s.api)].map((api, i) =>
    new DeploymentKubelet({
      client: client(api),
      clock,
      log: log.child("sim.kubelet").with({ cluster: i === 0 ? "seed" : opts.shoots[i - 1] }),
    })
  );
  for (const k of kubelets) running.push(k.start(simulations.signal));
  await gardenlet.waitForSync(simulations.signal);
  return { seedClient, gardenlet, machineDeployments, nodes, resourceManager, kubelets };
}

/** Starts the simulators; on failure stops what was started and rethrows. */
export async function startSimulators(opts: SimulatorsOptions): Promise<Simulators> {
  const teardown = new Teardown(opts.log);
  try {
    const { seed, seedKubeconfig } = await startSeedApiServer(opts, teardown);
    const { garden, gardenKubeconfig } = await startGardenApiServer(opts, teardown);
    const shoots = await startShootClusters(opts, teardown);
    const metal = await serveMetal(opts, teardown);
    const simulations = await startSimulations(opts, teardown, { seed, garden, shoots, devices: metal.devices });
    return {
      seed,
      seedKubeconfig,
      garden,
      gardenKubeconfig,
      shoots,
      ...metal,
      ...simulations,
      apiServers: () => [seed, ...[...shoots.values()].map((s) => s.api)],
      stop: () => teardown.run(),
    };
  } catch (e) {
    await teardown.run();
    throw e;
  }
}
