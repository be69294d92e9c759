/**
 * SIMULATION of gardenlet's part of the shoot flow, for the playground, tests and benchmarks — not part of the product
 * (a real landscape runs gardenlet). Logs come from `sim.gardenlet` and carry `simulation: gardenlet`.
 *
 * Create: shoot namespace (gardenlet's labels), `cloudprovider` secret, Cluster, the pools' user data secrets, the
 * Infrastructure with `gardener.cloud/operation=reconcile` + `gardener.cloud/timestamp`; wait until it is ready by
 * gardenlet's rules (readiness.ts); copy its `status.providerStatus` into the Worker's
 * `spec.infrastructureProviderStatus` and the ControlPlane's (control_plane_extension.ts), deploy the ControlPlane and
 * wait until it is ready; deploy the control-plane objects the provider's webhook mutates (control_plane.ts:
 * kube-apiserver, kube-controller-manager, the OperatingSystemConfigs, machine-controller-manager and its VPA —
 * re-applied on every shoot reconcile); create/annotate the Worker; wait until it is ready and has published its
 * machine deployments. Delete, in gardenlet's order: Worker, ControlPlane, then Infrastructure, each annotated
 * `confirmation.gardener.cloud/deletion=true` and awaited until gone; then the Cluster and the namespace. Hooks let the
 * caller deploy and delete machine-controller-manager at the points of the flow where gardenlet does. Migrate and
 * restore (a control-plane migration, `migrateShoot`/`restoreShoot`): see there. While running, a Worker whose spec a
 * user changed (generation increased, no operation pending) is annotated `reconcile` with a fresh timestamp, as
 * gardenlet does after a Shoot change.
 *
 * Writes are retried on conflicts, throttling, server errors and network errors (gardenlet's flow retries its tasks);
 * waits follow informer caches and give up after gardenlet's timeouts (10 minutes), or at once when the extension
 * reports a non-retryable error code (gardenlet then marks the Shoot Failed).
 */
import { ANNOTATION_OPERATION, ANNOTATION_TIMESTAMP, Operation } from "../../apis/extensions/constants.ts";
import {
  type Machine,
  type MachineDeployment,
  type MachineSet,
  MC_SECRET_FINALIZER,
  MCM_FINALIZER,
} from "../../apis/machine/v1alpha1.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { ApiError, isAlreadyExists, isConflict, isNotFound } from "../../k8s/api/errors.ts";
import { Informer } from "../../k8s/cache/informer.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import { type KubeObject, objectKey } from "../../k8s/api/objects.ts";
import {
  AppsV1,
  CoreGardenerV1beta1,
  CoreV1,
  ExtensionsV1alpha1,
  MachineV1alpha1,
  ResourcesV1alpha1,
  type ResourceType,
} from "../../k8s/api/resources.ts";
import { createMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import { controlPlaneObjects, MCM_DEPLOYMENT, MCM_VPA } from "./control_plane.ts";
import { controlPlaneFor } from "./control_plane_extension.ts";
import {
  type ShootCondition,
  shootConditions,
  shootConditionsChanged,
  withShootConditionTimes,
} from "./shoot_health.ts";
import { deletionConfirmation, reconcileRequest, rfc3339Nano } from "./operation.ts";
import { encodeWorkerState, recordedMachines, type RecordedMachineState, recordMachineState } from "./machine_state.ts";
import {
  extensionObjectProblem,
  type ExtensionObjectView,
  machineDeploymentsProblem,
  nonRetryableError,
} from "./readiness.ts";
import { nodeAgentSecretNamesOutdated, withInfrastructureStatus, withNodeAgentSecretNames } from "./shoot_objects.ts";
import type { ShootObjects } from "./shoot_template.ts";

/** Logger name of the simulation. */
export const LOGGER_NAME = "sim.gardenlet";
/** gardenlet's wait for Infrastructure and Worker. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

/** Options of the gardenlet simulation. */
export interface GardenletSimulationOptions {
  /** Client of the seed. */
  client: KubeClient;
  clock?: Clock;
  log?: Logger;
  /** Limit of each wait for an extension object (default 10 minutes). */
  waitTimeoutMs?: number;
  /** Told about what the simulation does on its own (the re-annotation after a user's change). */
  onNotice?: (message: string) => void;
  /** gardenlet deploys machine-controller-manager (with our sidecar) before it deploys the Worker. */
  deployMachineControllerManager?: (shoot: ShootRef) => Promise<void>;
  /** gardenlet deletes machine-controller-manager once the Worker is gone, before the Infrastructure. */
  destroyMachineControllerManager?: (shoot: ShootRef) => Promise<void>;
  /**
   * Client of the garden: the Shoot (core.gardener.cloud/v1beta1, from the Cluster) is kept there with
   * `status.lastOperation` and the conditions of the care controller (shoot_health.ts).
   */
  garden?: KubeClient;
  /** Period of the care controller's health pass (default 30 s). */
  careIntervalMs?: number;
  /** Kubeconfig of the shoot's API server, kept in the `gardener` secret of the shoot namespace (shoot access). */
  shootKubeconfig?: (shoot: ShootRef) => string | undefined;
}

/** When the milestones of a shoot creation were reached (clock milliseconds). */
export interface ShootCreation {
  infrastructureReadyAt: number;
  workerReadyAt: number;
}

/** A shoot as the flow addresses it. */
export type ShootRef = Pick<ShootObjects, "technicalId" | "shootName">;

/** The extension objects a migration moves, in the order gardenlet migrates and deletes them. */
export type MigratedKind = "Worker" | "ControlPlane" | "Infrastructure";

/**
 * What gardenlet persists of a shoot before its control plane migrates (Gardener's ShootState). The playground's
 * garden has no ShootState CRD, so the simulation keeps it in memory until the restore succeeded.
 */
export interface ShootState {
  technicalId: string;
  /** `status.state` and `status.resources` of each extension object after its Migrate succeeded. */
  extensions: Record<MigratedKind, { state?: unknown; resources?: unknown }>;
  /** The MachineDeployments with their MachineSets and Machines (the Worker's restore state). */
  machines: RecordedMachineState;
  /** The Cluster as gardenlet last wrote it (gardenlet derives it from the garden's Shoot). */
  cluster: KubeObject;
}

/** autoscaling.k8s.io/v1 VerticalPodAutoscalers (installed from the VPA CRD). */
const VPAS: ResourceType = {
  group: "autoscaling.k8s.io",
  version: "v1",
  resource: "verticalpodautoscalers",
  kind: "VerticalPodAutoscaler",
  namespaced: true,
};

/** Writes the simulation made, by kind. */
export interface GardenletStats {
  writes: number;
  reconcileRequests: number;
  userChangesNoticed: number;
}

/** True for errors a retry may cure: conflicts, throttling, server errors and failures without an answer. */
export function isRetryableWriteError(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.code === 409 && isConflict(e) || e.code === 429 || e.code >= 500;
}

function annotationsOf(obj: KubeObject | undefined): Record<string, string> {
  return obj?.metadata.annotations ?? {};
}

/** The `gardener` secret gardenlet keeps in a shoot namespace: a kubeconfig for the shoot's API server. */
export function shootAccessSecret(namespace: string, kubeconfig: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "gardener", namespace },
    type: "Opaque",
    data: { kubeconfig: encodeBase64(kubeconfig) },
  } as KubeObject;
}

/** The simulated gardenlet; a `Runnable` whose informers feed the waits and the change detection. */
export class GardenletSimulation implements Runnable {
  readonly stats: GardenletStats = { writes: 0, reconcileRequests: 0, userChangesNoticed: 0 };
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly infrastructures: Informer<ExtensionObjectView>;
  private readonly workers: Informer<ExtensionObjectView>;
  private readonly controlPlanes: Informer<ExtensionObjectView>;
  private readonly waitTimeoutMs: number;
  private runSignal?: AbortSignal;
  /** Shoots in the garden by technical ID, while their creation succeeded (the care controller's list). */
  private readonly gardenShoots = new Map<
    string,
    { namespace: string; name: string; shootName: string; cared: boolean }
  >();
  /** The garden's Shoots, watched for a user's change of `spec.hibernation.enabled` (e.g. a kubectl patch). */
  private readonly shootsInGarden?: Informer<KubeObject>;
  /** The hibernation setting each shoot was last brought to. */
  private readonly lastHibernation = new Map<string, boolean>();
  /** Technical IDs with a hibernation change in flight. */
  private readonly hibernating = new Set<string>();
  private careTimer?: ReturnType<Clock["setTimeout"]>;
  private carePass?: Promise<void>;
  /** The conditions each Shoot got from the last care pass (`Type=Status`), by technical ID. */
  private readonly lastConditions = new Map<string, string[]>();
  /** The states persisted by migrations, by technical ID (the garden's ShootStates). */
  private readonly shootStates = new Map<string, ShootState>();

  constructor(private readonly opts: GardenletSimulationOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.log ?? getLogger(LOGGER_NAME)).with({ simulation: "gardenlet" });
    this.waitTimeoutMs = opts.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const informerOpts = { clock: this.clock, log: this.log.child("informer") };
    this.infrastructures = new Informer(opts.client, ExtensionsV1alpha1.infrastructures, informerOpts);
    this.workers = new Informer(opts.client, ExtensionsV1alpha1.workers, informerOpts);
    this.controlPlanes = new Informer(opts.client, ExtensionsV1alpha1.controlPlanes, informerOpts);
    if (opts.garden) {
      this.shootsInGarden = new Informer(opts.garden, CoreGardenerV1beta1.shoots, informerOpts);
      this.shootsInGarden.addEventHandler({ onUpdate: (_o, n) => this.onGardenShootUpdate(n) });
    }
    this.workers.addEventHandler({ onUpdate: (o, n) => this.onWorkerUpdate(o, n) });
  }

  /** Starts the informers; resolves when `signal` aborts and they stopped. */
  async start(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    this.infrastructures.start(signal);
    this.workers.start(signal);
    this.controlPlanes.start(signal);
    this.shootsInGarden?.start(signal);
    if (this.opts.garden) this.scheduleCare();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    if (this.careTimer) this.clock.clearTimeout(this.careTimer);
    await this.carePass;
    await Promise.all([
      this.infrastructures.stopped(),
      this.workers.stopped(),
      this.controlPlanes.stopped(),
      this.shootsInGarden?.stopped(),
    ]);
  }

  /** Resolves once both caches are filled. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([
      this.infrastructures.waitForSync(signal),
      this.workers.waitForSync(signal),
      this.controlPlanes.waitForSync(signal),
    ]);
  }

  /** The cached Worker of a shoot. */
  worker(shoot: ShootRef): ExtensionObjectView | undefined {
    return this.workers.get(`${shoot.technicalId}/${shoot.shootName}`);
  }

  /** The cached Infrastructure of a shoot. */
  infrastructure(shoot: ShootRef): ExtensionObjectView | undefined {
    return this.infrastructures.get(`${shoot.technicalId}/${shoot.shootName}`);
  }

  /** The cached ControlPlane of a shoot. */
  controlPlane(shoot: ShootRef): ExtensionObjectView | undefined {
    return this.controlPlanes.get(`${shoot.technicalId}/${shoot.shootName}`);
  }

  /** Runs the creation flow of one shoot up to a ready Worker. */
  async createShoot(shoot: ShootObjects, signal?: AbortSignal): Promise<ShootCreation> {
    const log = this.log.with({ shoot: shoot.technicalId });
    await this.deployNamespace(shoot, shoot.cluster, signal);
    await this.ensureGardenShoot(shoot, signal);
    await this.reportOperation(shoot, "Create", "Processing", 10, "Waiting for the infrastructure", signal);
    for (const s of shoot.userData) await this.ensure(CoreV1.secrets, s, signal);

    log.info("Deploying the Infrastructure");
    const infraTs = await this.requestReconcile(ExtensionsV1alpha1.infrastructures, shoot.infrastructure, signal);
    const infra = await this.waitFor(
      this.infrastructures,
      objectKey(shoot.infrastructure),
      (o) => o ? extensionObjectProblem(o, infraTs) : "not in the cache yet",
      `Infrastructure ${objectKey(shoot.infrastructure)} to be ready`,
      signal,
    );
    const infrastructureReadyAt = this.clock.now();
    const providerStatus = (infra as { status?: { providerStatus?: unknown } }).status?.providerStatus;
    log.info("Infrastructure ready; deploying the ControlPlane with its provider status", { providerStatus });
    await this.deployControlPlaneExtension(
      controlPlaneFor(shoot.infrastructure, shoot.cluster, providerStatus),
      signal,
    );
    log.info("ControlPlane ready; deploying the control plane and the Worker");
    const worker = withNodeAgentSecretNames(withInfrastructureStatus(shoot.worker, providerStatus));
    await this.deployControlPlane(shoot, shoot.cluster, worker, signal);
    await this.opts.deployMachineControllerManager?.(shoot);
    await this.reportOperation(shoot, "Create", "Processing", 70, "Waiting for the worker", signal);
    await this.deployWorkerAndWait(shoot, worker, signal);
    await this.reportOperation(
      shoot,
      "Create",
      "Succeeded",
      100,
      "Shoot cluster has been successfully reconciled.",
      signal,
    );
    await this.careNow(shoot);
    return { infrastructureReadyAt, workerReadyAt: this.clock.now() };
  }

  /** The shoot namespace with what gardenlet puts there first: the secrets (cloud provider, shoot access), the Cluster. */
  private async deployNamespace(shoot: ShootObjects, cluster: KubeObject, signal?: AbortSignal): Promise<void> {
    for (const o of shoot.others) await this.ensure(resourceOf(o), o, signal);
    await this.ensure(CoreV1.namespaces, shoot.namespace, signal);
    await this.ensure(CoreV1.secrets, shoot.cloudProvider, signal);
    const kubeconfig = this.opts.shootKubeconfig?.(shoot);
    if (kubeconfig) await this.ensure(CoreV1.secrets, shootAccessSecret(shoot.technicalId, kubeconfig), signal);
    await this.ensure(ExtensionsV1alpha1.clusters, cluster, signal);
  }

  /**
   * Changes the Worker (and optionally the Cluster first, as gardenlet syncs the Shoot into it), requests a
   * reconcile and waits until the Worker is ready again.
   */
  async changeWorker(
    shoot: ShootRef,
    change: { worker: (w: KubeObject) => KubeObject; cluster?: (c: KubeObject) => KubeObject },
    signal?: AbortSignal,
  ): Promise<void> {
    const cluster = await this.retry(`update Cluster ${shoot.technicalId}`, signal, async () => {
      const current = await this.opts.client.get(ExtensionsV1alpha1.clusters, shoot.technicalId);
      if (!change.cluster) return current;
      this.stats.writes++;
      return await this.opts.client.update(ExtensionsV1alpha1.clusters, change.cluster(structuredClone(current)));
    });
    const key = `${shoot.technicalId}/${shoot.shootName}`;
    const current = await this.retry(
      `get Worker ${key}`,
      signal,
      () => this.opts.client.get(ExtensionsV1alpha1.workers, shoot.shootName, { namespace: shoot.technicalId }),
    );
    const worker = withNodeAgentSecretNames(change.worker(structuredClone(current)));
    await this.deployControlPlane(shoot, cluster, worker, signal);
    await this.deployWorkerAndWait(shoot, worker, signal);
  }

  /**
   * Hibernates the shoot or wakes it up, as gardenlet does after `spec.hibernation.enabled` changed: the Cluster's
   * Shoot (and the garden's) get the new setting; hibernating, the Worker is reconciled first (machines to 0), then
   * kube-apiserver and kube-controller-manager go to 0 and the ControlPlane is reconciled (our controller scales the
   * CCM down once kube-apiserver is at 0); waking up runs the same steps in reverse.
   */
  async setHibernation(shoot: ShootRef, enabled: boolean, signal?: AbortSignal): Promise<void> {
    this.lastHibernation.set(shoot.technicalId, enabled);
    this.hibernating.add(shoot.technicalId);
    try {
      await this.runHibernation(shoot, enabled, signal);
    } finally {
      this.hibernating.delete(shoot.technicalId);
    }
    // A user's change that arrived meanwhile.
    const ref = this.gardenShoots.get(shoot.technicalId);
    const current = ref && this.shootsInGarden?.get({ namespace: ref.namespace, name: ref.name });
    if (current) this.onGardenShootUpdate(current);
  }

  private async runHibernation(shoot: ShootRef, enabled: boolean, signal?: AbortSignal): Promise<void> {
    const key = `${shoot.technicalId}/${shoot.shootName}`;
    const verb = enabled ? "Hibernating" : "Waking up";
    await this.reportOperation(shoot, "Reconcile", "Processing", 10, `${verb} the shoot`, signal);
    const cared = this.gardenShoots.get(shoot.technicalId);
    if (cared) cared.cared = false;
    const cluster = await this.retry(`update Cluster ${shoot.technicalId}`, signal, async () => {
      const current = await this.opts.client.get(ExtensionsV1alpha1.clusters, shoot.technicalId);
      const next = withHibernation(current, enabled);
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      this.stats.writes++;
      return await this.opts.client.update(ExtensionsV1alpha1.clusters, next);
    });
    const garden = this.opts.garden;
    const ref = this.gardenShoots.get(shoot.technicalId);
    if (garden && ref) {
      await this.retry(
        `update Shoot ${ref.namespace}/${ref.name}`,
        signal,
        () =>
          garden.patch(CoreGardenerV1beta1.shoots, ref.name, { spec: { hibernation: { enabled } } }, "merge", {
            namespace: ref.namespace,
          }),
      );
    }
    const worker = await this.retry(
      `get Worker ${key}`,
      signal,
      () => this.opts.client.get(ExtensionsV1alpha1.workers, shoot.shootName, { namespace: shoot.technicalId }),
    );
    const infra = this.infrastructures.get(key);
    if (!infra) throw new Error(`gardenlet (simulated): no Infrastructure ${key} in the cache`);
    const providerStatus = (infra as { status?: { providerStatus?: unknown } }).status?.providerStatus;
    const controlPlane = controlPlaneFor(infra, cluster, providerStatus);
    if (enabled) {
      await this.deployWorkerAndWait(shoot, worker, signal);
      await this.deployControlPlane(shoot, cluster, worker, signal);
      await this.deployControlPlaneExtension(controlPlane, signal);
    } else {
      await this.deployControlPlane(shoot, cluster, worker, signal);
      await this.deployControlPlaneExtension(controlPlane, signal);
      await this.deployWorkerAndWait(shoot, worker, signal);
    }
    await this.reportOperation(
      shoot,
      "Reconcile",
      "Succeeded",
      100,
      "Shoot cluster has been successfully reconciled.",
      signal,
    );
    await this.careNow(shoot);
  }

  /** Runs the deletion flow of one shoot until its Worker, Infrastructure, Cluster and namespace are gone. */
  async deleteShoot(shoot: ShootRef, signal?: AbortSignal): Promise<void> {
    const log = this.log.with({ shoot: shoot.technicalId });
    await this.reportOperation(shoot, "Delete", "Processing", 10, "Deleting the worker", signal);
    const cared = this.gardenShoots.get(shoot.technicalId);
    if (cared) cared.cared = false;
    for (
      const [res, informer, kind] of [
        [ExtensionsV1alpha1.workers, this.workers, "Worker"],
        [ExtensionsV1alpha1.controlPlanes, this.controlPlanes, "ControlPlane"],
        [ExtensionsV1alpha1.infrastructures, this.infrastructures, "Infrastructure"],
      ] as const
    ) {
      log.info(`Deleting the ${kind}`);
      await this.confirmAndDelete(res, shoot.shootName, shoot.technicalId, signal);
      await this.waitFor(
        informer,
        `${shoot.technicalId}/${shoot.shootName}`,
        (o) => o ? `still exists${o.status?.lastError ? ` (${extensionObjectProblem(o)})` : ""}` : undefined,
        `${kind} ${shoot.technicalId}/${shoot.shootName} to be deleted`,
        signal,
        false,
      );
      if (kind === "Worker") {
        await this.opts.destroyMachineControllerManager?.(shoot);
        await this.deleteIfPresent(VPAS, MCM_VPA, shoot.technicalId, signal);
        await this.deleteIfPresent(AppsV1.deployments, MCM_DEPLOYMENT, shoot.technicalId, signal);
      }
    }
    log.info("Deleting the Cluster and the shoot namespace");
    await this.deleteIfPresent(ExtensionsV1alpha1.clusters, shoot.technicalId, undefined, signal);
    await this.deleteIfPresent(CoreV1.namespaces, shoot.technicalId, undefined, signal);
    await this.pollUntilGone(CoreV1.namespaces, shoot.technicalId, signal);
    await this.deleteGardenShoot(shoot, signal);
  }

  // ---- control-plane migration ----------------------------------------------------------------------------------

  /**
   * The source half of a control-plane migration (gardenlet's migrate flow): machine-controller-manager stops (the
   * playground's machine controller of the shoot with it, and its Deployment goes to 0); Worker, ControlPlane and
   * Infrastructure are annotated `migrate` and awaited until their last operation is Migrate/Succeeded; the machine
   * state of the namespace and each object's `status.state`/`status.resources` are persisted (a `ShootState`); the
   * objects are deleted (the extension only dropped its finalizers) and awaited until gone; the machine objects are
   * shallow-deleted (their finalizers removed, so no device is deleted); then the Cluster and the namespace go. The
   * playground has one seed: the shoot migrates to the same seed, so the namespace is torn down completely here and
   * `restoreShoot` rebuilds it.
   */
  async migrateShoot(shoot: ShootRef, signal?: AbortSignal): Promise<ShootState> {
    const log = this.log.with({ shoot: shoot.technicalId });
    const ns = shoot.technicalId;
    await this.reportOperation(shoot, "Migrate", "Processing", 10, "Migrating the shoot's control plane", signal);
    const cared = this.gardenShoots.get(ns);
    if (cared) cared.cared = false;
    log.info("Stopping machine-controller-manager");
    await this.opts.destroyMachineControllerManager?.(shoot);
    await this.retry(`scale ${MCM_DEPLOYMENT} in ${ns} to 0`, signal, async () => {
      try {
        this.stats.writes++;
        await this.opts.client.patch(AppsV1.deployments, MCM_DEPLOYMENT, { spec: { replicas: 0 } }, "merge", {
          namespace: ns,
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
    const cluster = await this.retry(
      `get Cluster ${ns}`,
      signal,
      () => this.opts.client.get(ExtensionsV1alpha1.clusters, ns),
    );
    const machines = await this.retry(`list the machine objects in ${ns}`, signal, async () => {
      const list = <T extends KubeObject>(res: ResourceType) =>
        this.opts.client.listAll<T>(res, { namespace: ns }).then((l) => l.items);
      return recordMachineState(
        await list<MachineDeployment>(MachineV1alpha1.machineDeployments),
        await list<MachineSet>(MachineV1alpha1.machineSets),
        await list<Machine>(MachineV1alpha1.machines),
      );
    });
    const extensions = {} as ShootState["extensions"];
    for (const [res, informer, kind] of this.migratedKinds()) {
      log.info(`Migrating the ${kind}`);
      const key = `${ns}/${shoot.shootName}`;
      const ts = await this.requestOperation(res, shoot.shootName, ns, Operation.Migrate, signal);
      const migrated = await this.waitFor(
        informer,
        key,
        (o) => o ? extensionObjectProblem(o, ts) ?? migratedProblem(o) : "not in the cache yet",
        `${kind} ${key} to be migrated`,
        signal,
      );
      const status = (migrated as { status?: { state?: unknown; resources?: unknown } }).status;
      extensions[kind] = { state: status?.state, resources: status?.resources };
    }
    const state: ShootState = { technicalId: ns, extensions, machines, cluster: clusterForRestore(cluster) };
    this.shootStates.set(ns, state);
    for (const [res, informer, kind] of this.migratedKinds()) {
      const key = `${ns}/${shoot.shootName}`;
      await this.confirmAndDelete(res, shoot.shootName, ns, signal);
      await this.waitFor(
        informer,
        key,
        (o) => o ? "still exists" : undefined,
        `${kind} ${key} to be deleted`,
        signal,
        false,
      );
    }
    log.info("Shallow-deleting the machine objects", { machines: recordedMachines(machines) });
    await this.shallowDeleteMachineObjects(ns, signal);
    log.info("Deleting the Cluster and the shoot namespace (the shoot migrates to the same seed)");
    await this.deleteIfPresent(VPAS, MCM_VPA, ns, signal);
    await this.deleteIfPresent(AppsV1.deployments, MCM_DEPLOYMENT, ns, signal);
    await this.deleteIfPresent(ExtensionsV1alpha1.clusters, ns, undefined, signal);
    await this.deleteIfPresent(CoreV1.namespaces, ns, undefined, signal);
    await this.pollUntilGone(CoreV1.namespaces, ns, signal);
    await this.reportOperation(shoot, "Migrate", "Succeeded", 100, "Shoot's control plane has been migrated.", signal);
    return state;
  }

  /**
   * The destination half (gardenlet's restore flow): namespace, secrets, Cluster and user data; the Infrastructure
   * created with `gardener.cloud/operation=wait-for-state`, its persisted `status.state`/`status.resources` written,
   * then annotated `restore` and awaited; the ControlPlane the same; the control-plane objects with
   * machine-controller-manager at 0 replicas (the Worker's restore scales it up once the machine objects are back);
   * the Worker the same with the machine state as its `status.state`; the machine controller starts when its
   * Deployment is scaled up, and the Worker is awaited until ready.
   */
  async restoreShoot(
    shoot: ShootObjects,
    state = this.shootStates.get(shoot.technicalId),
    signal?: AbortSignal,
  ): Promise<void> {
    const ns = shoot.technicalId;
    if (!state) throw new Error(`gardenlet (simulated): no persisted state of shoot ${ns} to restore from`);
    const log = this.log.with({ shoot: ns });
    await this.reportOperation(shoot, "Restore", "Processing", 10, "Restoring the shoot's control plane", signal);
    await this.deployNamespace(shoot, state.cluster, signal);
    for (const s of shoot.userData) await this.ensure(CoreV1.secrets, s, signal);
    const key = `${ns}/${shoot.shootName}`;

    log.info("Restoring the Infrastructure");
    let ts = await this.requestRestore(
      ExtensionsV1alpha1.infrastructures,
      shoot.infrastructure,
      state.extensions.Infrastructure,
      signal,
    );
    const infra = await this.waitFor(
      this.infrastructures,
      key,
      (o) => o ? extensionObjectProblem(o, ts) : "not in the cache yet",
      `Infrastructure ${key} to be restored`,
      signal,
    );
    const providerStatus = (infra as { status?: { providerStatus?: unknown } }).status?.providerStatus;
    log.info("Restoring the ControlPlane");
    const controlPlane = controlPlaneFor(shoot.infrastructure, state.cluster, providerStatus);
    ts = await this.requestRestore(
      ExtensionsV1alpha1.controlPlanes,
      controlPlane,
      state.extensions.ControlPlane,
      signal,
    );
    await this.waitFor(
      this.controlPlanes,
      key,
      (o) => o ? extensionObjectProblem(o, ts) : "not in the cache yet",
      `ControlPlane ${key} to be restored`,
      signal,
    );
    log.info("Restoring the control plane and the Worker");
    const worker = withNodeAgentSecretNames(withInfrastructureStatus(shoot.worker, providerStatus));
    await this.deployControlPlane(shoot, state.cluster, worker, signal, { machineControllerManagerReplicas: 0 });
    await this.reportOperation(shoot, "Restore", "Processing", 70, "Waiting for the worker", signal);
    ts = await this.requestRestore(
      ExtensionsV1alpha1.workers,
      worker,
      { ...state.extensions.Worker, state: encodeWorkerState(state.machines) },
      signal,
    );
    await this.waitForMachineControllerManagerScaledUp(shoot, ts, signal);
    await this.opts.deployMachineControllerManager?.(shoot);
    await this.waitFor(
      this.workers,
      key,
      (o) => o ? extensionObjectProblem(o, ts) ?? machineDeploymentsProblem(o, undefined) : "not in the cache yet",
      `Worker ${key} to be restored`,
      signal,
    );
    this.shootStates.delete(ns);
    await this.reportOperation(
      shoot,
      "Restore",
      "Succeeded",
      100,
      "Shoot cluster has been successfully reconciled.",
      signal,
    );
    await this.careNow(shoot);
  }

  private migratedKinds() {
    return [
      [ExtensionsV1alpha1.workers, this.workers, "Worker"],
      [ExtensionsV1alpha1.controlPlanes, this.controlPlanes, "ControlPlane"],
      [ExtensionsV1alpha1.infrastructures, this.infrastructures, "Infrastructure"],
    ] as const;
  }

  /** Annotates an extension object with `operation` and a fresh timestamp; returns the timestamp. */
  private async requestOperation(
    res: ResourceType,
    name: string,
    namespace: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const timestamp = rfc3339Nano(this.clock.now());
    const annotations = { [ANNOTATION_OPERATION]: operation, [ANNOTATION_TIMESTAMP]: timestamp };
    await this.retry(`annotate ${res.kind} ${namespace}/${name} ${operation}`, signal, async () => {
      this.stats.writes++;
      await this.opts.client.patch(res, name, { metadata: { annotations } }, "merge", { namespace });
    });
    return timestamp;
  }

  /**
   * Creates an extension object for a restore: with `wait-for-state` (the extension leaves it alone), then the
   * persisted status written, then the `restore` request; returns its timestamp.
   */
  private async requestRestore(
    res: ResourceType,
    desired: KubeObject,
    saved: { state?: unknown; resources?: unknown },
    signal?: AbortSignal,
  ): Promise<string> {
    const name = desired.metadata.name!;
    const namespace = desired.metadata.namespace!;
    const waiting = { ...annotationsOf(desired), [ANNOTATION_OPERATION]: Operation.WaitForState };
    const { status: _s, ...spec } = desired as KubeObject & { status?: unknown };
    await this.ensure(res, { ...spec, metadata: { ...desired.metadata, annotations: waiting } } as KubeObject, signal);
    await this.retry(`write the state of ${res.kind} ${namespace}/${name}`, signal, async () => {
      const current = await this.opts.client.get<KubeObject & { status?: Record<string, unknown> }>(res, name, {
        namespace,
      });
      const status: Record<string, unknown> = { ...current.status };
      if (saved.state !== undefined) status.state = saved.state;
      if (saved.resources !== undefined) status.resources = saved.resources;
      this.stats.writes++;
      await this.opts.client.updateStatus(res, { ...current, status } as KubeObject, { namespace });
    });
    return await this.requestOperation(res, name, namespace, Operation.Restore, signal);
  }

  /**
   * Waits until the Worker's restore has scaled machine-controller-manager up (it does so once the machine objects
   * are back), or the Worker is ready without it (a hibernated shoot).
   */
  private async waitForMachineControllerManagerScaledUp(shoot: ShootRef, ts: string, signal?: AbortSignal) {
    const deadline = this.clock.now() + this.waitTimeoutMs;
    for (;;) {
      const mcm = await this.opts.client.get<KubeObject & { spec?: { replicas?: number } }>(
        AppsV1.deployments,
        MCM_DEPLOYMENT,
        { namespace: shoot.technicalId },
      ).catch((e) => {
        if (isNotFound(e) || isRetryableWriteError(e)) return undefined;
        throw e;
      });
      if ((mcm?.spec?.replicas ?? 0) > 0) return;
      const worker = this.worker(shoot);
      if (worker && !extensionObjectProblem(worker, ts)) return;
      const fatal = nonRetryableError(worker);
      if (fatal) throw new Error(`gardenlet (simulated): Worker restore failed, the shoot fails: ${fatal}`);
      if (this.clock.now() > deadline) {
        throw new Error(
          `gardenlet (simulated): timed out waiting for ${MCM_DEPLOYMENT} in ${shoot.technicalId} to be scaled up`,
        );
      }
      await this.clock.sleep(1000, this.signalOf(signal));
    }
  }

  /**
   * gardenlet's shallow deletion of the machine objects after a migration: MachineDeployments, MachineSets, Machines
   * and MachineClasses deleted with their finalizers removed (machine-controller-manager is stopped: no device is
   * deleted), and MCM's finalizers taken off the class secrets. Deployments first, so that nothing could re-create a
   * set or machine of a deployment still there.
   */
  private async shallowDeleteMachineObjects(ns: string, signal?: AbortSignal): Promise<void> {
    for (
      const res of [
        MachineV1alpha1.machineDeployments,
        MachineV1alpha1.machineSets,
        MachineV1alpha1.machines,
        MachineV1alpha1.machineClasses,
      ]
    ) {
      const deadline = this.clock.now() + this.waitTimeoutMs;
      for (;;) {
        const items = await this.retry(
          `list ${res.kind}s in ${ns}`,
          signal,
          () => this.opts.client.list(res, { namespace: ns }),
        );
        if (!items.items.length) break;
        for (const o of items.items) {
          const name = o.metadata.name!;
          await this.deleteIfPresent(res, name, ns, signal);
          await this.removeFinalizers(res, name, ns, () => true, signal);
        }
        if (this.clock.now() > deadline) {
          throw new Error(`gardenlet (simulated): timed out shallow-deleting ${res.kind}s in ${ns}`);
        }
      }
    }
    const secrets = await this.retry(
      `list Secrets in ${ns}`,
      signal,
      () => this.opts.client.list(CoreV1.secrets, { namespace: ns }),
    );
    const mcm = (f: string) => f === MCM_FINALIZER || f === MC_SECRET_FINALIZER;
    for (const s of secrets.items) {
      if (s.metadata.finalizers?.some(mcm)) {
        await this.removeFinalizers(CoreV1.secrets, s.metadata.name!, ns, mcm, signal);
      }
    }
  }

  /** Removes the finalizers `which` selects from an object (if it still exists). */
  private async removeFinalizers(
    res: ResourceType,
    name: string,
    namespace: string,
    which: (finalizer: string) => boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.retry(`remove the finalizers of ${res.kind} ${namespace}/${name}`, signal, async () => {
      let current: KubeObject;
      try {
        current = await this.opts.client.get(res, name, { namespace });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      const finalizers = current.metadata.finalizers ?? [];
      if (!finalizers.some(which)) return;
      this.stats.writes++;
      try {
        await this.opts.client.update(res, {
          ...current,
          metadata: { ...current.metadata, finalizers: finalizers.filter((f) => !which(f)) },
        }, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  // ---- the Shoot in the garden ----------------------------------------------------------------------------------

  /** The Shoots' conditions from the last care passes (`Type=Status`), one list per Shoot still in the garden. */
  shootConditionSummary(): string[][] {
    return [...this.lastConditions.entries()].filter(([id]) => this.gardenShoots.has(id)).map(([, c]) => c);
  }

  /** The Shoot of the garden, by technical ID (undefined without a garden or before the creation flow ran). */
  gardenShoot(technicalId: string): { namespace: string; name: string } | undefined {
    const g = this.gardenShoots.get(technicalId);
    return g && { namespace: g.namespace, name: g.name };
  }

  private async ensureGardenShoot(shoot: ShootObjects, signal?: AbortSignal): Promise<void> {
    const garden = this.opts.garden;
    if (!garden) return;
    const embedded = (shoot.cluster as { spec?: { shoot?: KubeObject } }).spec?.shoot;
    if (!embedded) return;
    const namespace = embedded.metadata.namespace ?? "garden";
    const name = embedded.metadata.name!;
    const { uid: _u, generation: _g, resourceVersion: _r, ...metadata } = embedded.metadata;
    const { status: _s, ...rest } = embedded as KubeObject & { status?: unknown };
    await this.retry(`ensure Shoot ${namespace}/${name} in the garden`, signal, async () => {
      try {
        await garden.create(CoreV1.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      try {
        await garden.create(CoreGardenerV1beta1.shoots, { ...rest, metadata } as KubeObject, { namespace });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    });
    const known = this.gardenShoots.get(shoot.technicalId);
    this.gardenShoots.set(shoot.technicalId, {
      namespace,
      name,
      shootName: shoot.shootName,
      cared: known?.cared ?? false,
    });
  }

  /** Writes the Shoot's `status.lastOperation` (and, while running, keeps the care controller on it). */
  private async reportOperation(
    shoot: ShootRef,
    type: string,
    state: string,
    progress: number,
    description: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const garden = this.opts.garden;
    const ref = this.gardenShoots.get(shoot.technicalId);
    if (!garden || !ref) return;
    const lastUpdateTime = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
    await this.retry(`report ${type} ${state} on Shoot ${ref.namespace}/${ref.name}`, signal, async () => {
      const current = await garden.get<KubeObject & { status?: Record<string, unknown> }>(
        CoreGardenerV1beta1.shoots,
        ref.name,
        { namespace: ref.namespace },
      );
      const status = {
        ...current.status,
        technicalID: shoot.technicalId,
        observedGeneration: current.metadata.generation,
        lastOperation: { type, state, progress, description, lastUpdateTime },
      };
      await garden.updateStatus(CoreGardenerV1beta1.shoots, { ...current, status } as KubeObject, {
        namespace: ref.namespace,
      });
    });
    // A deleted or migrated-away shoot has nothing to care for (until its restore succeeded).
    if (type !== "Delete" && type !== "Migrate" && state === "Succeeded") ref.cared = true;
  }

  private async deleteGardenShoot(shoot: ShootRef, signal?: AbortSignal): Promise<void> {
    const garden = this.opts.garden;
    const ref = this.gardenShoots.get(shoot.technicalId);
    if (!garden || !ref) return;
    this.gardenShoots.delete(shoot.technicalId);
    await this.retry(`delete Shoot ${ref.namespace}/${ref.name}`, signal, async () => {
      try {
        await garden.delete(CoreGardenerV1beta1.shoots, ref.name, { namespace: ref.namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  /**
   * A user changed a Shoot's `spec.hibernation.enabled` in the garden (e.g. `kubectl patch shoot … --type merge -p
   * '{"spec":{"hibernation":{"enabled":true}}}'`): run the hibernation or the wake-up, as gardenlet does.
   */
  private onGardenShootUpdate(shoot: KubeObject): void {
    const entry = [...this.gardenShoots.entries()].find(([, g]) =>
      g.namespace === shoot.metadata.namespace && g.name === shoot.metadata.name
    );
    if (!entry || shoot.metadata.deletionTimestamp) return;
    const [technicalId, ref] = entry;
    if (!ref.cared || this.hibernating.has(technicalId)) return; // a flow is running; its end re-checks
    const wanted = (shoot as { spec?: { hibernation?: { enabled?: boolean } } }).spec?.hibernation?.enabled === true;
    const cached = this.lastHibernation.get(technicalId) ?? false;
    if (wanted === cached) return;
    const signal = this.runSignal;
    const message = `Shoot ${ref.namespace}/${ref.name}: spec.hibernation.enabled is ${wanted}: ` +
      (wanted ? "hibernating" : "waking up") + ", as gardenlet does after a Shoot change";
    this.log.info(message);
    this.opts.onNotice?.(message);
    this.setHibernation({ technicalId, shootName: ref.shootName }, wanted, signal)
      .catch((e) => {
        if (!signal?.aborted) this.log.error("Hibernation change failed", { shoot: technicalId, error: e });
      });
  }

  private scheduleCare(): void {
    if (this.runSignal?.aborted) return;
    this.careTimer = this.clock.setTimeout(() => {
      this.careTimer = undefined;
      this.carePass = this.careAll().finally(() => this.scheduleCare());
    }, this.opts.careIntervalMs ?? 30_000);
  }

  private async careAll(): Promise<void> {
    for (const technicalId of [...this.gardenShoots.keys()]) {
      await this.careNow({ technicalId }).catch((e) => {
        if (!this.runSignal?.aborted) this.log.info("Shoot care pass failed", { shoot: technicalId, error: e });
      });
    }
  }

  /** One pass of gardenlet's care controller for a shoot: its conditions, written only when they changed. */
  async careNow(shoot: Pick<ShootRef, "technicalId">): Promise<ShootCondition[] | undefined> {
    const garden = this.opts.garden;
    const ref = this.gardenShoots.get(shoot.technicalId);
    if (!garden || !ref?.cared) return undefined;
    const ns = shoot.technicalId;
    const cluster = await this.opts.client.get<KubeObject & { spec?: { shoot?: { spec?: Record<string, unknown> } } }>(
      ExtensionsV1alpha1.clusters,
      ns,
    );
    const hibernation = cluster.spec?.shoot?.spec?.hibernation as { enabled?: boolean } | undefined;
    const deployments = await this.opts.client.list(AppsV1.deployments, { namespace: ns });
    const mrs = await this.opts.client.list(ResourcesV1alpha1.managedResources, { namespace: ns });
    const byNs = (i: Informer<ExtensionObjectView>) => i.list(ns)[0];
    const next = shootConditions({
      hibernated: hibernation?.enabled === true,
      deployments: new Map(deployments.items.map((d) => [d.metadata.name!, d])),
      controlPlane: byNs(this.controlPlanes),
      worker: byNs(this.workers),
      managedResources: mrs.items,
    });
    // On a conflict (the periodic pass and a flow's pass, or a lastOperation report, wrote meanwhile) the Shoot is
    // read again and the conditions merged into what it holds now.
    return await this.retry(`care of Shoot ${ref.namespace}/${ref.name}`, undefined, async () => {
      const current = await garden.get<KubeObject & { status?: { conditions?: ShootCondition[] } }>(
        CoreGardenerV1beta1.shoots,
        ref.name,
        { namespace: ref.namespace },
      );
      const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
      const conditions = withShootConditionTimes(current.status?.conditions, next, now);
      this.lastConditions.set(shoot.technicalId, conditions.map((c) => `${c.type}=${c.status}`));
      if (!shootConditionsChanged(current.status?.conditions, conditions)) return conditions;
      this.stats.writes++;
      await garden.updateStatus(
        CoreGardenerV1beta1.shoots,
        { ...current, status: { ...current.status, conditions } } as KubeObject,
        { namespace: ref.namespace },
      );
      return conditions;
    });
  }

  // ---- steps ----------------------------------------------------------------------------------------------------

  /**
   * Deploys the shoot's control-plane objects as gardenlet does on every shoot reconcile — kube-apiserver,
   * kube-controller-manager, the pools' OperatingSystemConfigs (removing those of pools or configurations gone),
   * machine-controller-manager and its VPA — each created or merge-patched to gardenlet's desired state, so that the
   * seed's admission chain (the provider's control-plane webhook) sees every one of them.
   */
  async deployControlPlane(
    shoot: ShootRef,
    cluster: KubeObject,
    worker: KubeObject,
    signal?: AbortSignal,
    opts: { machineControllerManagerReplicas?: number } = {},
  ) {
    const objects = controlPlaneObjects({ technicalId: shoot.technicalId, cluster }, worker);
    if (opts.machineControllerManagerReplicas !== undefined) {
      (objects.machineControllerManager as { spec?: { replicas?: number } }).spec!.replicas =
        opts.machineControllerManagerReplicas;
    }
    if (isHibernated(cluster)) {
      // gardenlet scales kube-apiserver and kube-controller-manager of a hibernated shoot to 0.
      for (const d of [objects.kubeApiServer, objects.kubeControllerManager]) {
        (d as { spec?: { replicas?: number } }).spec!.replicas = 0;
      }
    }
    await this.apply(AppsV1.deployments, objects.kubeApiServer, signal);
    await this.apply(AppsV1.deployments, objects.kubeControllerManager, signal);
    for (const osc of objects.operatingSystemConfigs) {
      await this.apply(ExtensionsV1alpha1.operatingSystemConfigs, osc, signal);
    }
    const wanted = new Set(objects.operatingSystemConfigs.map((o) => o.metadata.name));
    const existing = await this.retry(
      `list OperatingSystemConfigs in ${shoot.technicalId}`,
      signal,
      () =>
        this.opts.client.list(ExtensionsV1alpha1.operatingSystemConfigs, {
          namespace: shoot.technicalId,
          labelSelector: "worker.gardener.cloud/pool",
        }),
    );
    for (const o of existing.items) {
      if (!wanted.has(o.metadata.name)) {
        await this.deleteIfPresent(
          ExtensionsV1alpha1.operatingSystemConfigs,
          o.metadata.name!,
          shoot.technicalId,
          signal,
        );
      }
    }
    await this.apply(AppsV1.deployments, objects.machineControllerManager, signal);
    await this.apply(VPAS, objects.machineControllerManagerVpa, signal);
  }

  /**
   * gardenlet's create-or-merge-patch: creates the object, or patches what differs from its desired state (labels
   * added, spec replaced); no request when nothing differs. A webhook's additions differ from gardenlet's spec, so
   * they are sent again on every reconcile and the webhook re-adds them, as in a real seed.
   */
  private async apply(res: ResourceType, desired: KubeObject, signal?: AbortSignal): Promise<void> {
    const name = desired.metadata.name!;
    const namespace = desired.metadata.namespace;
    await this.retry(`apply ${res.kind} ${namespace}/${name}`, signal, async () => {
      let current: KubeObject | undefined;
      try {
        current = await this.opts.client.get(res, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (!current) {
        this.stats.writes++;
        try {
          await this.opts.client.create(res, desired, { namespace });
          return;
        } catch (e) {
          // Created concurrently: not an ApiError, so retried (the next round patches it).
          if (isAlreadyExists(e)) throw new Error(`${res.kind} ${namespace}/${name} was created concurrently`);
          throw e;
        }
      }
      const want = {
        ...current,
        metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...desired.metadata.labels } },
        spec: (desired as { spec?: unknown }).spec,
      };
      const patch = createMergePatch(current, want) as Record<string, unknown>;
      if (Object.keys(patch).length === 0) return;
      this.stats.writes++;
      await this.opts.client.patch(res, name, patch, "merge", { namespace });
    });
  }

  /** Deploys the ControlPlane extension object with a reconcile request and waits until it is ready. */
  async deployControlPlaneExtension(controlPlane: KubeObject, signal?: AbortSignal): Promise<void> {
    const ts = await this.requestReconcile(ExtensionsV1alpha1.controlPlanes, controlPlane, signal);
    await this.waitFor(
      this.controlPlanes,
      objectKey(controlPlane),
      (o) => o ? extensionObjectProblem(o, ts) : "not in the cache yet",
      `ControlPlane ${objectKey(controlPlane)} to be ready`,
      signal,
    );
  }

  private async deployWorkerAndWait(shoot: ShootRef, worker: KubeObject, signal?: AbortSignal): Promise<void> {
    const key = `${shoot.technicalId}/${shoot.shootName}`;
    const before = this.workers.get(key)?.status?.machineDeploymentsLastUpdateTime;
    const ts = await this.requestReconcile(ExtensionsV1alpha1.workers, worker, signal);
    await this.waitFor(
      this.workers,
      key,
      (o) => o ? extensionObjectProblem(o, ts) ?? machineDeploymentsProblem(o, before) : "not in the cache yet",
      `Worker ${key} to be ready`,
      signal,
    );
  }

  /** Creates the object or updates its spec, with a reconcile request; returns the timestamp written. */
  private async requestReconcile(res: ResourceType, desired: KubeObject, signal?: AbortSignal): Promise<string> {
    const name = desired.metadata.name!;
    const namespace = desired.metadata.namespace;
    let timestamp = "";
    await this.retry(`deploy ${res.kind} ${namespace}/${name}`, signal, async () => {
      const request = reconcileRequest(this.clock.now());
      timestamp = request[ANNOTATION_TIMESTAMP];
      let current: KubeObject | undefined;
      try {
        current = await this.opts.client.get(res, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.stats.writes++;
      this.stats.reconcileRequests++;
      const metadata = {
        ...desired.metadata,
        annotations: { ...annotationsOf(current), ...annotationsOf(desired), ...request },
      };
      if (!current) {
        await this.opts.client.create(res, { ...desired, metadata }, { namespace });
      } else {
        await this.opts.client.update(res, {
          ...current,
          spec: (desired as { spec?: unknown }).spec,
          metadata: {
            ...current.metadata,
            labels: { ...current.metadata.labels, ...desired.metadata.labels },
            annotations: metadata.annotations,
          },
        } as KubeObject, { namespace });
      }
    });
    return timestamp;
  }

  /** Creates an object, or brings labels and content of an existing one up to date. */
  private async ensure(res: ResourceType, desired: KubeObject, signal?: AbortSignal): Promise<void> {
    const name = desired.metadata.name!;
    const namespace = res.namespaced ? desired.metadata.namespace : undefined;
    await this.retry(`ensure ${res.kind} ${namespace ? `${namespace}/` : ""}${name}`, signal, async () => {
      try {
        this.stats.writes++;
        await this.opts.client.create(res, desired, { namespace });
        return;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      const current = await this.opts.client.get(res, name, { namespace });
      const merged: KubeObject = {
        ...current,
        ...contentOf(desired),
        metadata: {
          ...current.metadata,
          labels: { ...current.metadata.labels, ...desired.metadata.labels },
          annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
        },
      };
      if (JSON.stringify(merged) === JSON.stringify(current)) return;
      this.stats.writes++;
      await this.opts.client.update(res, merged, { namespace });
    });
  }

  private async confirmAndDelete(res: ResourceType, name: string, namespace: string, signal?: AbortSignal) {
    await this.retry(`delete ${res.kind} ${namespace}/${name}`, signal, async () => {
      try {
        this.stats.writes++;
        await this.opts.client.patch(res, name, { metadata: { annotations: deletionConfirmation() } }, "merge", {
          namespace,
        });
        this.stats.writes++;
        await this.opts.client.delete(res, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  private async deleteIfPresent(res: ResourceType, name: string, namespace: string | undefined, signal?: AbortSignal) {
    await this.retry(`delete ${res.kind} ${name}`, signal, async () => {
      try {
        this.stats.writes++;
        await this.opts.client.delete(res, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  private async pollUntilGone(res: ResourceType, name: string, signal?: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + this.waitTimeoutMs;
    for (;;) {
      try {
        await this.opts.client.get(res, name);
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isRetryableWriteError(e)) throw e;
      }
      if (this.clock.now() > deadline) throw new Error(`timed out waiting for ${res.kind} ${name} to be deleted`);
      await this.clock.sleep(1000, this.signalOf(signal));
    }
  }

  /**
   * A user changed a Worker's spec: request a reconcile, as gardenlet does after a Shoot change — with the pools'
   * node-agent secret names recomputed (a new machine type or image means a new OperatingSystemConfig).
   */
  private onWorkerUpdate(old: ExtensionObjectView, cur: ExtensionObjectView): void {
    const generation = cur.metadata.generation ?? 0;
    if (generation <= (old.metadata.generation ?? 0) || cur.metadata.deletionTimestamp) return;
    // An operation already pending covers the change (our own spec writes always carry one).
    if (annotationsOf(cur)[ANNOTATION_OPERATION]) return;
    const key = objectKey(cur);
    this.stats.userChangesNoticed++;
    const message = `Worker ${key} spec changed (generation ${generation}): requesting a reconcile ` +
      `(gardener.cloud/operation=reconcile with a fresh timestamp), as gardenlet does after a Shoot change`;
    this.log.info(message);
    this.opts.onNotice?.(message);
    const signal = this.runSignal;
    const ref = { name: cur.metadata.name!, namespace: cur.metadata.namespace };
    this.retry(`annotate Worker ${key}`, signal, async () => {
      const current = await this.opts.client.get(ExtensionsV1alpha1.workers, ref.name, { namespace: ref.namespace });
      if (current.metadata.deletionTimestamp) return;
      const annotations = { ...current.metadata.annotations, ...reconcileRequest(this.clock.now()) };
      this.stats.writes++;
      this.stats.reconcileRequests++;
      const desired = nodeAgentSecretNamesOutdated(current) ? withNodeAgentSecretNames(current) : current;
      await this.opts.client.update(
        ExtensionsV1alpha1.workers,
        { ...desired, metadata: { ...current.metadata, annotations } },
        {
          namespace: ref.namespace,
        },
      );
    }).catch((e) => {
      if (!signal?.aborted) {
        this.log.error("Requesting the reconcile of a changed Worker failed", { worker: key, error: e });
      }
    });
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private signalOf(signal?: AbortSignal): AbortSignal | undefined {
    if (signal && this.runSignal) return AbortSignal.any([signal, this.runSignal]);
    return signal ?? this.runSignal;
  }

  /** Retries `fn` with backoff while its errors are retryable, up to the wait timeout. */
  private async retry<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const deadline = this.clock.now() + this.waitTimeoutMs;
    let delay = 200;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!isRetryableWriteError(e) || this.clock.now() + delay > deadline) {
          throw new Error(`gardenlet (simulated): ${what}: ${(e as Error).message}`, { cause: e });
        }
        this.log.debug("Retrying", { what, error: e, delayMs: delay });
        await this.clock.sleep(delay, this.signalOf(signal));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /** Waits until `problem` returns undefined for the cached object of `key`; throws with the last problem. */
  private waitFor(
    informer: Informer<ExtensionObjectView>,
    key: string,
    problem: (o: ExtensionObjectView | undefined) => string | undefined,
    what: string,
    signal?: AbortSignal,
    failFast = true,
  ): Promise<ExtensionObjectView> {
    const s = this.signalOf(signal);
    return new Promise((resolve, reject) => {
      let last = "";
      let done = false;
      const finish = (err?: unknown, obj?: ExtensionObjectView) => {
        if (done) return;
        done = true;
        remove();
        this.clock.clearTimeout(timer);
        s?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(obj!);
      };
      const check = () => {
        const obj = informer.get(key);
        const p = problem(obj);
        if (p === undefined) return finish(undefined, obj);
        last = p;
        const fatal = failFast ? nonRetryableError(obj) : undefined;
        if (fatal) finish(new Error(`gardenlet (simulated): ${what}: non-retryable error, the shoot fails: ${fatal}`));
      };
      const onAbort = () => finish(s!.reason ?? new DOMException("aborted", "AbortError"));
      const timer = this.clock.setTimeout(
        () => finish(new Error(`gardenlet (simulated): timed out waiting for ${what}: ${last}`)),
        this.waitTimeoutMs,
      );
      // addEventHandler delivers cached objects at once: checks start only after registration.
      let registered = false;
      const matches = (o: KubeObject) => registered && objectKey(o) === key;
      const remove = informer.addEventHandler({
        onAdd: (o) => matches(o) && check(),
        onUpdate: (_o, n) => matches(n) && check(),
        onDelete: (o) => matches(o) && check(),
      });
      registered = true;
      s?.addEventListener("abort", onAbort, { once: true });
      if (s?.aborted) onAbort();
      else check();
    });
  }
}

/** Why a migrated object is not yet Migrate/Succeeded (the rest of readiness checked before). */
function migratedProblem(obj: ExtensionObjectView): string | undefined {
  const last = obj.status?.lastOperation;
  return last?.type === "Migrate" ? undefined : `last operation is ${last?.type ?? "none"}, not Migrate`;
}

/** The Cluster as the restore writes it again: without what the API server set. */
function clusterForRestore(cluster: KubeObject): KubeObject {
  const { name, labels, annotations } = cluster.metadata;
  const { metadata: _m, status: _s, ...rest } = cluster as KubeObject & { status?: unknown };
  return { ...rest, metadata: { name, labels, annotations } } as KubeObject;
}

/** True when the Cluster's Shoot asks for hibernation. */
function isHibernated(cluster: KubeObject): boolean {
  const shoot = (cluster as { spec?: { shoot?: { spec?: { hibernation?: { enabled?: boolean } } } } }).spec?.shoot;
  return shoot?.spec?.hibernation?.enabled === true;
}

/** The Cluster with its Shoot's `spec.hibernation.enabled` set. */
function withHibernation(cluster: KubeObject, enabled: boolean): KubeObject {
  const next = structuredClone(cluster) as KubeObject & { spec: { shoot: { spec: Record<string, unknown> } } };
  const spec = next.spec.shoot.spec;
  spec.hibernation = { ...(spec.hibernation as Record<string, unknown> | undefined), enabled };
  return next;
}

/** Everything of an object but its metadata and status (data, stringData, spec, type, ...). */
function contentOf(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
  return rest;
}

function resourceOf(o: KubeObject): ResourceType {
  switch (o.kind) {
    case "Namespace":
      return CoreV1.namespaces;
    case "Secret":
      return CoreV1.secrets;
    case "ConfigMap":
      return CoreV1.configMaps;
    default:
      throw new Error(`gardenlet (simulated): no resource known for kind ${o.kind} (${o.metadata.name})`);
  }
}
