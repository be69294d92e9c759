/**
 * SIMULATION of the MachineDeployment and MachineSet controllers of machine-controller-manager, for the
 * playground, tests and benchmarks. Our product does not include them (a real landscape runs MCM's own binary);
 * the provider's machine controller (`src/mcm/controller/`) only handles Machines. Logs come from the logger
 * `sim.machinedeployments` and carry `simulation: machine-controller-manager`.
 *
 *   const sim = new MachineDeploymentSimulation({ client, namespace: "shoot--foo", clock });
 *   manager.add(sim);              // a Runnable: start(signal) runs until the signal aborts
 *   // or: const handle = startMachineDeploymentSimulation({ client }); ...; await handle.stop();
 *
 * Three informers (Machines, MachineSets, MachineDeployments, indexed by controller UID) feed two controllers.
 * The caches are shared with a `FreshView` each so that a reconcile never acts twice on its own unobserved write.
 * `pause(namespace)`/`resume(namespace)` stand for a shoot's machine-controller-manager scaled to 0 and up again
 * (a control-plane migration): meanwhile its controllers leave that namespace alone.
 */
import type { Machine, MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { Controller, type RateLimiterOptions, type Reconciler, type Request } from "../../k8s/controller/controller.ts";
import { Informer, type InformerFactory } from "../../k8s/cache/informer.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import { controllerOf, type KubeObject } from "../../k8s/api/objects.ts";
import { MachineV1alpha1, type ResourceType } from "../../k8s/api/resources.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { DeploymentReconciler } from "./deployment_controller.ts";
import { FreshView } from "../../k8s/cache/fresh_view.ts";
import { MachineSetReconciler } from "./machineset_controller.ts";
import { emptyStats, ObjectWrites, type SimulationStats } from "./object_writes.ts";
import { CONTROLLER_UID_INDEX, indexByControllerUid, selects } from "./ownership.ts";

/** Logger name of the simulation. */
export const LOGGER_NAME = "sim.machinedeployments";

export interface MachineDeploymentSimulationOptions {
  /** Client of the cluster holding the machine.sapcloud.io objects (the seed's shoot namespace). */
  client: KubeClient;
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  clock?: Clock;
  log?: Logger;
  /** Parallel reconciles per controller (MCM's `--concurrent-syncs`, default 5). */
  concurrency?: number;
  /** Backoff of failed reconciles (default: controller-runtime's). */
  rateLimiter?: RateLimiterOptions;
  /** Share informers with a manager (which then starts them); default: the simulation runs its own. */
  informers?: InformerFactory;
}

/** The simulated MCM controllers; a `Runnable` of `src/k8s/controller/manager.ts`. */
export class MachineDeploymentSimulation implements Runnable {
  /** Writes made so far, by kind. */
  readonly stats: SimulationStats = emptyStats();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly machineInformer: Informer<Machine>;
  private readonly setInformer: Informer<MachineSet>;
  private readonly deploymentInformer: Informer<MachineDeployment>;
  private started = false;
  /** Namespaces whose machine-controller-manager is scaled down. */
  private readonly paused = new Set<string>();
  private readonly controllers: Controller[] = [];

  constructor(private readonly opts: MachineDeploymentSimulationOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.log ?? getLogger(LOGGER_NAME)).with({ simulation: "machine-controller-manager" });
    const informer = <T extends KubeObject>(res: ResourceType): Informer<T> => {
      const options = {
        namespace: opts.namespace,
        indexers: { [CONTROLLER_UID_INDEX]: indexByControllerUid },
        clock: this.clock,
        log: this.log.child("informer"),
      };
      return opts.informers ? opts.informers.informer<T>(res, options) : new Informer<T>(opts.client, res, options);
    };
    this.machineInformer = informer<Machine>(MachineV1alpha1.machines);
    this.setInformer = informer<MachineSet>(MachineV1alpha1.machineSets);
    this.deploymentInformer = informer<MachineDeployment>(MachineV1alpha1.machineDeployments);
  }

  /** The namespace's machine-controller-manager is scaled down: its controllers leave the namespace alone. */
  pause(namespace: string): void {
    this.paused.add(namespace);
  }

  /** The namespace's machine-controller-manager runs again: every deployment and set of it is looked at. */
  resume(namespace: string): void {
    if (!this.paused.delete(namespace)) return;
    const [sets, deployments] = this.controllers;
    for (const s of this.setInformer.list(namespace)) sets?.enqueue({ namespace, name: s.metadata.name ?? "" });
    for (const d of this.deploymentInformer.list(namespace)) {
      deployments?.enqueue({ namespace, name: d.metadata.name ?? "" });
    }
  }

  /** The reconciler, doing nothing in a paused namespace. */
  private unlessPaused(inner: Reconciler): Reconciler {
    return {
      reconcile: (req, ctx) => this.paused.has(req.namespace ?? "") ? Promise.resolve() : inner.reconcile(req, ctx),
    };
  }

  /** True once all three caches are filled. */
  hasSynced(): boolean {
    return this.machineInformer.hasSynced() && this.setInformer.hasSynced() && this.deploymentInformer.hasSynced();
  }

  /** Runs both controllers until `signal` aborts; resolves once in-flight reconciles finished. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error("the MachineDeployment simulation was already started");
    this.started = true;
    const machines = new FreshView(this.machineInformer, this.clock);
    const sets = new FreshView(this.setInformer, this.clock);
    const deployments = new FreshView(this.deploymentInformer, this.clock);
    const writes = new ObjectWrites(this.opts.client, this.stats, this.log);
    const concurrency = this.opts.concurrency ?? 5;

    const setController = new Controller({
      name: "sim-machineset",
      reconciler: this.unlessPaused(
        new MachineSetReconciler({ machines, sets, writes, clock: this.clock, log: this.log }),
      ),
      concurrency,
      rateLimiter: this.opts.rateLimiter,
      clock: this.clock,
      log: this.log,
    })
      .watch(this.setInformer)
      .watch(this.machineInformer, { map: (m) => this.ownersOf(m, "MachineSet", this.setInformer) });
    const deploymentController = new Controller({
      name: "sim-machinedeployment",
      reconciler: this.unlessPaused(
        new DeploymentReconciler({ deployments, sets, machines, writes, clock: this.clock, log: this.log }),
      ),
      concurrency,
      rateLimiter: this.opts.rateLimiter,
      clock: this.clock,
      log: this.log,
    })
      .watch(this.deploymentInformer)
      .watch(this.setInformer, { map: (s) => this.ownersOf(s, "MachineDeployment", this.deploymentInformer) });

    this.controllers.push(setController, deploymentController);
    this.log.info("Starting the SIMULATED MachineDeployment/MachineSet controllers of machine-controller-manager", {
      namespace: this.opts.namespace ?? "(all)",
      concurrency,
    });
    if (!this.opts.informers) {
      for (const i of [this.machineInformer, this.setInformer, this.deploymentInformer]) i.start(signal);
    }
    try {
      await Promise.all([setController.start(signal), deploymentController.start(signal)]);
    } finally {
      for (const v of [machines, sets, deployments]) v.close();
      if (!this.opts.informers) {
        await Promise.all([this.machineInformer, this.setInformer, this.deploymentInformer].map((i) => i.stopped()));
      }
      this.log.info("Stopped the simulated MachineDeployment/MachineSet controllers");
    }
  }

  /** The owner an event of `obj` concerns: its controller of `kind`, or, for an orphan, every owner selecting it. */
  private ownersOf<O extends KubeObject & { spec?: { selector?: unknown } }>(
    obj: KubeObject,
    kind: string,
    owners: Informer<O>,
  ): Request[] {
    const ref = controllerOf(obj);
    if (ref) return ref.kind === kind ? [{ namespace: obj.metadata.namespace, name: ref.name }] : [];
    return owners.list(obj.metadata.namespace)
      .filter((o) => selects(o.spec?.selector as Parameters<typeof selects>[0], obj.metadata.labels))
      .map((o) => ({ namespace: o.metadata.namespace, name: o.metadata.name ?? "" }));
  }
}

/** A started simulation and how to stop it. */
export interface RunningSimulation {
  simulation: MachineDeploymentSimulation;
  /** Stops the controllers and informers; resolves when everything has stopped. */
  stop(): Promise<void>;
}

/** Starts the simulation in the background. */
export function startMachineDeploymentSimulation(opts: MachineDeploymentSimulationOptions): RunningSimulation {
  const simulation = new MachineDeploymentSimulation(opts);
  const stop = new AbortController();
  const done = simulation.start(stop.signal);
  return {
    simulation,
    async stop() {
      stop.abort();
      await done;
    },
  };
}
