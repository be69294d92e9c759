/**
 * The machine controller (MCM's provider-side machine-controller): informers on the control cluster (Machines,
 * MachineClasses, Secrets; namespace-scoped) and on the target cluster (Nodes, Pods, PDBs, VolumeAttachments, PVs,
 * PVCs; cluster-wide), five queues (machine, termination, machineclass, secret, node) and the safety loops.
 * A `Runnable`: `start(signal)` runs everything until the signal aborts.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { Controller, reconcileFunc, type Request, type Result } from "../../k8s/controller/controller.ts";
import { type Informer, InformerFactory } from "../../k8s/cache/informer.ts";
import { type KubeObject, objectKey, parseObjectKey } from "../../k8s/api/objects.ts";
import type { Registry } from "../../observability/metrics.ts";
import type { Predicate } from "../../k8s/controller/predicates.ts";
import { CoreV1, MachineV1alpha1, PolicyV1, StorageV1 } from "../../k8s/api/resources.ts";
import {
  LABEL_DEPLOYMENT_NAME,
  LABEL_NODE,
  type Machine,
  type MachineClass,
  NODE_ANNOTATION_NOT_MANAGED_BY_MCM,
} from "../../apis/machine/v1alpha1.ts";
import type { Driver } from "../driver/driver.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import {
  type ControllerContext,
  INDEX_CLASS_BY_SECRET,
  INDEX_MACHINE_BY_CLASS,
  INDEX_MACHINE_BY_DEPLOYMENT,
  INDEX_MACHINE_BY_NODE,
  INDEX_POD_BY_NODE,
  INDEX_VA_BY_NODE,
  MachineControllerState,
  type Queues,
  type TargetCaches,
} from "./context.ts";
import type { MachineControllerOptions } from "../options.ts";
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Secret,
  VolumeAttachment,
} from "../../k8s/api/builtin_types.ts";
import { reconcileMachine } from "./machine/machine_reconcile.ts";
import { reconcileTermination } from "./deletion/termination_reconcile.ts";
import { reconcileMachineClass, reconcileNode, reconcileSecret } from "./finalizers/finalizer_reconcile.ts";
import { apiServerProbe, collectOrphans, PeriodicTask } from "./safety/safety_reconcile.ts";
import { nodeChangeAffectsMachine } from "./nodes/node_actions.ts";
import { machinePreservationChanged } from "./preservation/preservation.ts";
import { secretsOfClass } from "./finalizers/secret_finalizer.ts";
import { classContentChanged } from "./finalizers/class_finalizer.ts";
import { registerMetricsSource } from "./metrics.ts";

/** What the machine controller needs. */
export interface MachineControllerDeps {
  /** Cluster with Machines, MachineClasses and their Secrets. */
  control: KubeClient;
  /** Cluster where the Nodes join; undefined = target-less mode (not supported: rejected). */
  target?: KubeClient;
  driver: Driver;
  options: MachineControllerOptions;
  /** Provider name in metrics (default `EquinixMetal`). */
  providerName?: string;
  clock?: Clock;
  log?: Logger;
  /** Registry of the scrape-time machine gauges (default: the process registry that `/metrics` serves). */
  metrics?: Registry;
}

/**
 * Orphan collection after Machine deletions: MCM runs a pass for every trigger (and for OutOfRange create errors,
 * which our driver no longer returns: it keeps one of several devices and deletes the others); we coalesce
 * them (a pass lists every device of every class, so deleting 1,000 machines would list them hundreds of times).
 */
export const ORPHAN_TRIGGER_POLICY = { debounceMs: 5_000, minIntervalMs: 60_000 } as const;

/** MCM's maximum of consecutive failures per key before a key is dropped. */
const MAX_RETRIES = 15;

type QueueName = keyof Omit<Queues, "orphanCollection">;

function machineKeyOfNode(ctx: ControllerContext, node: Node): Request[] {
  return ctx.machines.byIndex(INDEX_MACHINE_BY_NODE, node.metadata.name!).map((m) => parseObjectKey(objectKey(m)));
}

/** The control cluster's informers: Machines, MachineClasses and Secrets of the namespace, with their indexes. */
function controlCaches(factory: InformerFactory, namespace: string) {
  const machines = factory.informer<Machine>(MachineV1alpha1.machines, {
    namespace,
    indexers: {
      [INDEX_MACHINE_BY_NODE]: (m) => (m.metadata.labels?.[LABEL_NODE] ? [m.metadata.labels[LABEL_NODE]] : []),
      [INDEX_MACHINE_BY_CLASS]: (m) => m.spec?.class?.name ? [`${m.metadata.namespace}/${m.spec.class.name}`] : [],
      [INDEX_MACHINE_BY_DEPLOYMENT]: (m) =>
        m.metadata.labels?.[LABEL_DEPLOYMENT_NAME]
          ? [`${m.metadata.namespace}/${m.metadata.labels[LABEL_DEPLOYMENT_NAME]}`]
          : [],
    },
  });
  const classes = factory.informer<MachineClass>(MachineV1alpha1.machineClasses, {
    namespace,
    indexers: {
      [INDEX_CLASS_BY_SECRET]: (c) => secretsOfClass(c, namespace).map((s) => `${namespace}/${s}`),
    },
  });
  const secrets = factory.informer<Secret>(CoreV1.secrets, { namespace });
  return { machines, classes, secrets };
}

/** The target cluster's informers (cluster-wide), with their indexes. */
function targetCaches(t: InformerFactory): TargetCaches {
  return {
    nodes: t.informer<Node>(CoreV1.nodes),
    pods: t.informer<Pod>(CoreV1.pods, {
      indexers: { [INDEX_POD_BY_NODE]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    }),
    pdbs: t.informer<PodDisruptionBudget>(PolicyV1.podDisruptionBudgets),
    volumeAttachments: t.informer<VolumeAttachment>(StorageV1.volumeAttachments, {
      indexers: { [INDEX_VA_BY_NODE]: (va) => (va.spec?.nodeName ? [va.spec.nodeName] : []) },
    }),
    pvcs: t.informer<PersistentVolumeClaim>(CoreV1.persistentVolumeClaims),
    pvs: t.informer<PersistentVolume>(CoreV1.persistentVolumes),
  };
}

/** The five queues, each a controller running its reconciler on the shared context. */
function queueControllers(ctx: ControllerContext): Record<QueueName, Controller> {
  const make = (name: string, concurrency: number, reconcile: (key: string, signal: AbortSignal) => Promise<Result>) =>
    new Controller({
      name,
      reconciler: reconcileFunc((req, rc) => reconcile(objectKey(req), rc.signal)),
      concurrency,
      maxRetries: MAX_RETRIES,
      clock: ctx.clock,
      log: ctx.log.child(name),
    });
  const n = ctx.options.concurrentSyncs;
  return {
    machine: make("machine", n, (k, s) => reconcileMachine(ctx, k, s)),
    termination: make("machinetermination", n, (k, s) => reconcileTermination(ctx, k, s)),
    machineClass: make("machineclass", Math.min(n, 5), (k) => reconcileMachineClass(ctx, k)),
    secret: make("secret", Math.min(n, 5), (k) => reconcileSecret(ctx, k)),
    node: make("node", n, (k) => reconcileNode(ctx, k)),
  };
}

/** Runs the machine controller until its signal aborts. */
export class MachineController {
  readonly ctx: ControllerContext;
  /** What this controller remembers between reconciles; no other controller shares it. */
  readonly state: MachineControllerState;
  private readonly controlInformers: InformerFactory;
  private readonly targetInformers?: InformerFactory;
  private readonly controllers: Record<QueueName, Controller>;
  private readonly orphanTask: PeriodicTask;
  private readonly probeTask: PeriodicTask;
  private readonly metrics?: Registry;

  constructor(deps: MachineControllerDeps) {
    if (!deps.target) {
      throw new Error(
        "--target-kubeconfig=none (target-less mode) is not supported by this machine controller; give it the " +
          "kubeconfig of the cluster the nodes join",
      );
    }
    const clock = deps.clock ?? realClock;
    const log = deps.log ?? getLogger("machine-controller");
    const namespace = deps.options.namespace;
    this.metrics = deps.metrics;
    this.controlInformers = new InformerFactory(deps.control, { namespace, clock, log: log.child("informers") });
    this.targetInformers = new InformerFactory(deps.target, { clock, log: log.child("target-informers") });
    const control = controlCaches(this.controlInformers, namespace);
    this.state = new MachineControllerState(control.machines, clock);
    this.ctx = {
      options: deps.options,
      namespace,
      control: deps.control,
      target: deps.target,
      driver: deps.driver,
      providerName: deps.providerName ?? "EquinixMetal",
      clock,
      log,
      ...control,
      targetCaches: targetCaches(this.targetInformers),
      queues: {
        machine: (k, ms) => this.enqueue("machine", k, ms),
        termination: (k, ms) => this.enqueue("termination", k, ms),
        machineClass: (k, ms) => this.enqueue("machineClass", k, ms),
        secret: (k, ms) => this.enqueue("secret", k, ms),
        node: (k, ms) => this.enqueue("node", k, ms),
        orphanCollection: () => this.orphanTask.trigger(),
      },
      state: this.state,
    };
    this.controllers = queueControllers(this.ctx);
    this.wireEvents();
    const ctx = this.ctx;
    this.orphanTask = new PeriodicTask(
      ctx,
      "Orphan collection",
      () => deps.options.machineSafetyOrphanVmsPeriodMs,
      () => collectOrphans(ctx, this.runSignal ?? new AbortController().signal),
      ORPHAN_TRIGGER_POLICY,
    );
    this.probeTask = new PeriodicTask(
      ctx,
      "API server probe",
      () => deps.options.machineSafetyApiserverStatuscheckPeriodMs,
      apiServerProbe(ctx),
    );
  }

  private runSignal?: AbortSignal;

  private enqueue(queue: QueueName, key: string, afterMs?: number): void {
    const req = parseObjectKey(key);
    if (afterMs && afterMs > 0) this.controllers[queue].enqueueAfter(req, afterMs);
    else this.controllers[queue].enqueue(req);
  }

  /**
   * A changed class (providerSpec, nodeTemplate, secret references...) takes effect on its machines now, as in MCM,
   * not at their next requeue (up to 10 minutes later). Metadata-only writes (our finalizer) do not count.
   */
  private watchClassChanges(): void {
    const ctx = this.ctx;
    this.controllers.machine.watch(ctx.classes, {
      predicates: [{ create: () => false, update: classContentChanged, delete: () => false }],
      map: (cls) =>
        ctx.machines.byIndex(INDEX_MACHINE_BY_CLASS, objectKey(cls))
          .filter((m) => !m.metadata.deletionTimestamp)
          .map((m) => ({ namespace: m.metadata.namespace, name: m.metadata.name! })),
    });
  }

  /** Event routing, as MCM's informer handlers do it. */
  private wireEvents(): void {
    const ctx = this.ctx;
    const c = this.controllers;
    const machineEvents: Predicate<Machine> = {
      create: (m) => !m.metadata.deletionTimestamp,
      update: (o, m) =>
        !m.metadata.deletionTimestamp &&
        (o.metadata.generation !== m.metadata.generation ||
          o.metadata.labels?.[LABEL_NODE] !== m.metadata.labels?.[LABEL_NODE] ||
          machinePreservationChanged(o, m)),
      delete: () => false,
    };
    c.machine.watch(ctx.machines, { predicates: [machineEvents] });
    c.termination.watch(ctx.machines, {
      predicates: [{
        create: (m) => !!m.metadata.deletionTimestamp,
        update: (o, m) =>
          !!m.metadata.deletionTimestamp &&
          (!o.metadata.deletionTimestamp || o.metadata.generation !== m.metadata.generation ||
            o.metadata.labels?.["force-deletion"] !== m.metadata.labels?.["force-deletion"]),
        delete: () => false,
      }],
    });
    // A deleted Machine (the read-your-writes view drops our copy itself): re-check its class finalizer, look for
    // devices it left behind.
    ctx.machines.addEventHandler({ onDelete: () => this.orphanTask.trigger() });
    c.machineClass.watch(ctx.machines, {
      predicates: [{ update: () => false }],
      map: (m) => (m.spec?.class?.name ? [{ namespace: m.metadata.namespace, name: m.spec.class.name }] : []),
    });
    c.machineClass.watch(ctx.classes);
    this.watchClassChanges();
    c.secret.watch(ctx.classes, {
      map: (cls) => secretsOfClass(cls, ctx.namespace).map((name) => ({ namespace: ctx.namespace, name })),
    });
    c.secret.watch(ctx.secrets);
    // Nodes: the node queue keeps finalizers and reacts to deletion; the machine queue re-checks health.
    const caches = ctx.targetCaches!;
    caches.nodes.addEventHandler({
      onAdd: (n) => ctx.state.deletedNodes.delete(n.metadata.name!),
      onDelete: (n) => ctx.state.deletedNodes.add(n.metadata.name!),
    });
    c.node.watch(caches.nodes, {
      predicates: [{
        update: (o, n) =>
          !!n.metadata.deletionTimestamp !== !!o.metadata.deletionTimestamp ||
          o.metadata.annotations?.[NODE_ANNOTATION_NOT_MANAGED_BY_MCM] !==
            n.metadata.annotations?.[NODE_ANNOTATION_NOT_MANAGED_BY_MCM],
      }],
    });
    c.node.watch(ctx.machines, {
      predicates: [{
        create: (m) => !!m.metadata.labels?.[LABEL_NODE],
        update: (o, m) => o.metadata.labels?.[LABEL_NODE] !== m.metadata.labels?.[LABEL_NODE],
        delete: () => false,
      }],
      map: (m) => (m.metadata.labels?.[LABEL_NODE] ? [{ name: m.metadata.labels[LABEL_NODE] }] : []),
    });
    c.machine.watch(caches.nodes, {
      predicates: [{
        update: (o, n) => {
          const m = ctx.machines.byIndex(INDEX_MACHINE_BY_NODE, n.metadata.name!)[0];
          return nodeChangeAffectsMachine(o, n, m ? ctx.state.fresh.latest(m) : undefined);
        },
      }],
      map: (n) => machineKeyOfNode(ctx, n),
    });
  }

  /** True once every cache has synced (readiness). */
  hasSynced(): boolean {
    return this.controlInformers.hasSynced() && (this.targetInformers?.hasSynced() ?? true);
  }

  /** Keys waiting or in flight, per queue (tests, metrics). */
  queueLengths(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.controllers).map(([k, c]) => [k, c.queueLength()]));
  }

  /** Starts informers, waits for their caches, then runs the queues and safety loops until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    const log = this.ctx.log;
    const unregister = registerMetricsSource({
      machines: () => this.ctx.machines.list(this.ctx.namespace),
      frozen: () => this.state.frozen,
    }, this.metrics);
    try {
      this.controlInformers.start(signal);
      this.targetInformers?.start(signal);
      try {
        await this.controlInformers.waitForSync(signal);
        await this.targetInformers?.waitForSync(signal);
      } catch {
        return; // stopped before the caches synced
      }
      log.info("Caches synced; starting the machine controller", {
        namespace: this.ctx.namespace,
        machines: this.ctx.machines.list(this.ctx.namespace).length,
      });
      await Promise.all([
        ...Object.values(this.controllers).map((c) => c.start(signal)),
        this.orphanTask.start(signal),
        this.probeTask.start(signal),
      ]);
    } finally {
      unregister();
      await Promise.all(
        [this.ctx.machines, this.ctx.classes, this.ctx.secrets, ...Object.values(this.ctx.targetCaches ?? {})].map((
          i,
        ) => (i as Informer<KubeObject>).stopped?.()),
      );
      log.info("Machine controller stopped");
    }
  }
}
