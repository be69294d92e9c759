/**
 * The generic Worker actuator: what the generic extension reconciler (src/extension/reconciler) runs for Workers,
 * Gardener's generic Worker actuator with the provider's half behind a `WorkerDelegate` (delegate.ts), as
 * observe → compute → apply → report:
 *
 * - reconcile: validate everything and compute the wanted objects (nothing is written if anything is wrong), deploy
 *   class Secrets, MachineClasses and MachineDeployments (comparing before every write), publish
 *   `status.machineDeployments` with a newer `machineDeploymentsLastUpdateTime` and the WorkerStatus, then report
 *   `progressing` (requeue after 5 s) until MCM has rolled the machines, surface failed machines, remove what is no
 *   longer wanted, and scale MCM to 0 when the shoot is hibernated;
 * - every wait is bounded (bounded_wait.ts): after 5 minutes of the same wait the pass fails with the machines' reasons,
 *   and a rollout wait first deletes the pods of a stuck MCM, as the generic actuator does;
 * - delete: the generic actuator's deletion, one step per call (see deletion.ts); forceDelete and migrate do nothing
 *   (gardenlet keeps the machine state; status.state is never written);
 * - restore: re-create MachineSets and Machines from the machine state gardenlet put into `status.state`, deploy the
 *   MachineDeployments, then scale MCM to 1 (a hibernated shoot: only while machines exist, so MCM deletes them),
 *   then reconcile.
 */
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import type { Worker } from "../../apis/extensions/v1alpha1.ts";
import type { Machine, MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import { CoreV1, MachineV1alpha1 } from "../../k8s/api/resources.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { forgetSecret, registerSecret } from "../../observability/redact.ts";
import type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext } from "../reconciler/mod.ts";
import type { DesiredStateInputs, ProviderPool, WorkerDelegate } from "./delegate.ts";
import { computeDesiredState, describeWorker, type DesiredWorker } from "./desired_state.ts";
import {
  continueWait,
  machinesOfDeployments,
  MCM_POD_SELECTOR,
  stuckMachineControllerManager,
  WAIT_TIMEOUT_MS,
  type WaitRecord,
  waitTimeoutError,
} from "./bounded_wait.ts";
import { deletionStep, isCredentialsSecretAcquired } from "./deletion.ts";
import { failedMachinesError } from "./failed_machines.ts";
import { buildMachineDeployment } from "./machine_deployment.ts";
import { MachineObjectWriter } from "./machine_objects_apply.ts";
import { decodeMachineState, type MachineState } from "./machine_state.ts";
import {
  listClassSecrets,
  listInNamespace,
  listMachines,
  type ObservedWorker,
  observeWorker,
} from "./observed_state.ts";
import { desiredReplicas, mcmReplicasAfterRestore } from "./replicas.ts";
import { evaluateRollout } from "./rollout.ts";
import { earlyStatusPatch } from "./status_patch.ts";

/** Requeue interval while machines roll or are deleted: the generic actuator's poll interval. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** Options of the Worker actuator. */
export interface WorkerActuatorOptions<W, P extends ProviderPool> {
  /** The provider's half. */
  delegate: WorkerDelegate<W, P>;
  /** Requeue interval while waiting for MCM (default 5 s). */
  pollIntervalMs?: number;
  /** How long one wait may last before the pass fails with the reasons (default 5 min). */
  waitTimeoutMs?: number;
}

/** What a restore hands to the reconcile that follows it. */
interface RestoreContext {
  /** Replicas recorded per MachineDeployment. */
  replicas: ReadonlyMap<string, number>;
  /** MachineDeployment names of the state: they count as existing when names are chosen (adopted upstream names). */
  names: ReadonlySet<string>;
}

function byName<T extends { metadata?: { name?: string } }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.metadata?.name ?? "", i]));
}

/** Gardener's generic Worker actuator; `W` and `P` are the delegate's Worker and pool data. */
export class WorkerActuator<W, P extends ProviderPool> implements Actuator<Worker> {
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly delegate: WorkerDelegate<W, P>;
  /** The running wait per Worker (in memory: after a restart a wait starts over, as the generic actuator's would). */
  private readonly waits = new Map<string, WaitRecord>();

  constructor(opts: WorkerActuatorOptions<W, P>) {
    this.pollIntervalMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? WAIT_TIMEOUT_MS;
    this.delegate = opts.delegate;
  }

  /** The compute step with the delegate. */
  private compute(inputs: DesiredStateInputs): DesiredWorker<P> {
    return computeDesiredState(inputs, this.delegate);
  }

  /** Reconciles the Worker's machine objects; `progressing` while MCM rolls machines. */
  reconcile(worker: Worker, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    return this.tracked(worker, () => this.reconcileWith(worker, cluster, ctx, undefined));
  }

  private wait(description: string, progress?: number): ActuatorOutcome {
    return { progressing: { description, requeueAfterMs: this.pollIntervalMs, progress } };
  }

  private static waitKey(worker: Worker): string {
    return `${worker.metadata.namespace ?? ""}/${worker.metadata.name ?? ""}`;
  }

  /** Runs one pass; the Worker's wait record outlives only a `progressing` outcome (any other end closes it). */
  private async tracked(worker: Worker, pass: () => Promise<ActuatorOutcome | void>): Promise<ActuatorOutcome | void> {
    const key = WorkerActuator.waitKey(worker);
    try {
      const outcome = await pass();
      if (!outcome?.progressing) this.waits.delete(key);
      return outcome;
    } catch (e) {
      this.waits.delete(key);
      throw e;
    }
  }

  /** `progressing` for a wait that has not run out yet; once it has, throws the error `expired` builds. */
  private async boundedWait(
    worker: Worker,
    ctx: ActuatorContext,
    what: string,
    progressing: { description: string; progress?: number },
    expired: () => Promise<Error>,
  ): Promise<ActuatorOutcome> {
    const key = WorkerActuator.waitKey(worker);
    const generation = worker.metadata.generation ?? 0;
    const next = continueWait(this.waits.get(key), what, generation, ctx.clock.now(), this.waitTimeoutMs);
    if (!next.expired) {
      this.waits.set(key, next.record);
      return this.wait(progressing.description, progressing.progress);
    }
    this.waits.delete(key); // the retry starts a new window
    throw await expired();
  }

  /**
   * Gardener's remedy for a stuck MCM (a deployment older than 2 minutes that MCM took but made no set for): delete its
   * pods, so their Deployment starts fresh ones. Returns what was done, for the error text.
   */
  private async restartStuckMcm(
    writer: MachineObjectWriter,
    ctx: ActuatorContext,
    ns: string,
    deployments: readonly MachineDeployment[],
    machineSets: readonly MachineSet[],
  ): Promise<string> {
    const why = stuckMachineControllerManager(deployments, machineSets, ctx.clock.now());
    if (!why) return "";
    try {
      const pods = await listInNamespace<KubeObject>(ctx.client, CoreV1.pods, ns, ctx.signal, MCM_POD_SELECTOR);
      for (const pod of pods) await writer.delete(CoreV1.pods, pod);
      ctx.log.info("Deleted the pods of a stuck machine-controller-manager", { reason: why, pods: pods.length });
      return `(machine-controller-manager looked stuck, ${why}: deleted ${pods.length} pod(s) of it)`;
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      ctx.log.error("Could not delete the pods of a stuck machine-controller-manager", { reason: why, error: e });
      return `(machine-controller-manager looked stuck, ${why}; its pods could not be deleted: ${
        (e as Error).message
      })`;
    }
  }

  /** Observe and compute; throws (before any write) if the Worker's configuration is wrong. */
  private async plan(
    worker: Worker,
    cluster: ClusterContext,
    ctx: ActuatorContext,
    extraNames: ReadonlySet<string> = new Set(),
  ): Promise<{ observed: ObservedWorker; desired: DesiredWorker<P> }> {
    const observed = await observeWorker(ctx.client, worker, ctx.signal);
    const existing = new Set([...observed.deployments.map((d) => d.metadata.name ?? ""), ...extraNames]);
    const desired = this.compute({
      worker,
      cluster,
      credentials: observed.credentials,
      userDataSecrets: observed.userDataSecrets,
      existingDeploymentNames: existing,
    });
    return { observed, desired };
  }

  /** Runs `fn` with the pools' user data registered as secrets (redacted from every log line and error). */
  private async withUserDataRedacted<T>(desired: DesiredWorker, fn: () => Promise<T>): Promise<T> {
    for (const t of desired.userDataTexts) registerSecret(t);
    try {
      return await fn();
    } finally {
      for (const t of desired.userDataTexts) forgetSecret(t);
    }
  }

  /** Creates or updates the class Secrets and MachineClasses. */
  private async deployClasses(writer: MachineObjectWriter, observed: ObservedWorker, desired: DesiredWorker) {
    const secrets = byName(observed.classSecrets);
    for (const s of desired.classSecrets) await writer.ensureClassSecret(s, secrets.get(s.metadata?.name ?? ""));
    const classes = byName(observed.classes);
    for (const c of desired.classes) await writer.ensureMachineClass(c, classes.get(c.metadata.name ?? ""));
  }

  private async reconcileWith(
    worker: Worker,
    cluster: ClusterContext,
    ctx: ActuatorContext,
    restore: RestoreContext | undefined,
  ): Promise<ActuatorOutcome | void> {
    const ns = worker.metadata.namespace ?? "";
    const { observed, desired } = await this.plan(worker, cluster, ctx, restore?.names);
    return await this.withUserDataRedacted(desired, async () => {
      const writer = new MachineObjectWriter(ctx.client, ns, ctx.log, ctx.signal);
      await this.deployClasses(writer, observed, desired);

      let machinesForHibernation: Machine[] = [];
      if (desired.hibernated) {
        // No drain and no PDBs while hibernating (the generic actuator does the same).
        machinesForHibernation = await listMachines(ctx.client, ns, ctx.signal);
        await writer.labelForceDeletion(machinesForHibernation);
      }

      const existing = byName(observed.deployments);
      const allExistingAtZero = observed.deployments.every((d) => (d.spec?.replicas ?? 0) === 0);
      const current: MachineDeployment[] = [];
      for (const d of desired.deployments) {
        const found = existing.get(d.name);
        const replicas = desiredReplicas({
          hibernated: desired.hibernated,
          autoscalerUsed: desired.autoscalerUsed,
          minimum: d.minimum,
          maximum: d.maximum,
          exists: found !== undefined,
          existingReplicas: found?.spec?.replicas,
          allExistingAtZero,
          restoredReplicas: restore?.replicas.get(d.name),
        });
        current.push(await writer.ensureMachineDeployment(buildMachineDeployment(d, ns, replicas), found));
      }
      if (restore) {
        // Only now that every MachineDeployment is written, as the generic actuator orders it: MCM must not see the
        // restored MachineSets without their deployments.
        const mcmReplicas = mcmReplicasAfterRestore(desired.hibernated, machinesForHibernation.length);
        if (mcmReplicas !== undefined) await writer.scaleMachineControllerManager(observed.mcm, mcmReplicas);
      }

      const statusPatch = earlyStatusPatch(
        worker,
        desired.deployments,
        desired.providerStatus,
        ctx.clock.now(),
        ctx.requested,
      );
      if (Object.keys(statusPatch).length > 0) await ctx.patchStatus(statusPatch);

      const failed = failedMachinesError(current);
      if (failed) throw failed;
      const rollout = evaluateRollout(
        desired.deployments,
        current,
        observed.machineSets,
        ns,
        desired.hibernated,
        machinesForHibernation,
      );
      if (!rollout.done) {
        ctx.log.info("Waiting for machine deployments", { reason: rollout.message, writes: writer.writes });
        return await this.boundedWait(
          worker,
          ctx,
          "rollout",
          { description: rollout.message, progress: rollout.progress },
          async () => {
            const remedy = await this.restartStuckMcm(writer, ctx, ns, current, observed.machineSets);
            const machines = await listMachines(ctx.client, ns, ctx.signal);
            return waitTimeoutError(
              "failed while waiting for all machine deployments to be ready",
              rollout.message,
              machinesOfDeployments(machines, desired.deployments.map((d) => d.name)),
              remedy,
            );
          },
        );
      }

      const pending = await this.cleanUp(worker, writer, ctx, observed, desired);
      if (pending) return pending;

      if (desired.hibernated) await writer.scaleMachineControllerManager(observed.mcm, 0);
      ctx.log.debug("Worker reconciled", { deployments: desired.deployments.length, writes: writer.writes });
    });
  }

  /**
   * Deletes MachineDeployments, classes and class Secrets that are no longer wanted; while MCM runs, waits until the
   * deleted deployments are gone (MCM removes their machines first).
   */
  private async cleanUp(
    worker: Worker,
    writer: MachineObjectWriter,
    ctx: ActuatorContext,
    observed: ObservedWorker,
    desired: DesiredWorker,
  ): Promise<ActuatorOutcome | undefined> {
    const ns = desired.namespace;
    const wanted = new Set(desired.deployments.map((d) => d.name));
    const wantedClasses = new Set(desired.deployments.map((d) => d.className));
    const wantedSecrets = new Set(desired.deployments.map((d) => d.secretName));
    const unwanted = observed.deployments.filter((d) => !wanted.has(d.metadata.name ?? ""));
    for (const md of unwanted) await writer.delete(MachineV1alpha1.machineDeployments, md);
    for (const cls of observed.classes) {
      if (!wantedClasses.has(cls.metadata.name ?? "")) await writer.delete(MachineV1alpha1.machineClasses, cls);
    }
    for (const s of observed.classSecrets) {
      if (!wantedSecrets.has(s.metadata?.name ?? "")) await writer.delete(CoreV1.secrets, s as Secret & KubeObject);
    }
    if (unwanted.length === 0 || (observed.mcm?.spec?.replicas ?? 0) === 0) return undefined;
    const left =
      (await listInNamespace<MachineDeployment>(ctx.client, MachineV1alpha1.machineDeployments, ns, ctx.signal))
        .filter((d) => !wanted.has(d.metadata.name ?? ""));
    if (left.length === 0) return undefined;
    const failed = failedMachinesError(left);
    if (failed) throw failed;
    const names = left.map((d) => d.metadata.name ?? "");
    const description = `Waiting until the unwanted machine deployment(s) ${names.join(", ")} are deleted`;
    return await this.boundedWait(worker, ctx, "unwanted", { description, progress: 90 }, async () =>
      waitTimeoutError(
        "error while waiting for all undesired machine deployments to be deleted",
        `machine deployment(s) ${names.join(", ")} still exist`,
        machinesOfDeployments(await listMachines(ctx.client, ns, ctx.signal), names),
      ));
  }

  /** Deletes the Worker's machines one step per call; done when nothing is left and MCM released the secret. */
  delete(worker: Worker, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    return this.tracked(worker, () => this.deleteStep(worker, cluster, ctx));
  }

  private async deleteStep(
    worker: Worker,
    cluster: ClusterContext,
    ctx: ActuatorContext,
  ): Promise<ActuatorOutcome | void> {
    const ns = worker.metadata.namespace ?? "";
    const observed = await observeWorker(ctx.client, worker, ctx.signal);
    const machines = await listMachines(ctx.client, ns, ctx.signal);
    const obs = { ...observed, machines };
    const step = deletionStep(obs);
    if (step.step === "awaitRelease") {
      if (isCredentialsSecretAcquired(observed.credentials)) {
        const description = "Waiting until the machine class credentials secret has been released";
        return await this.boundedWait(
          worker,
          ctx,
          "release",
          { description, progress: 90 },
          () =>
            Promise.resolve(waitTimeoutError(
              "failed while waiting for the machine class credentials secret to be released",
              `machine-controller-manager still holds ${worker.spec.secretRef.name ?? ""}`,
              [],
            )),
        );
      }
      return;
    }
    const writer = new MachineObjectWriter(ctx.client, ns, ctx.log, ctx.signal);
    if (step.step === "start") {
      // Redeploy the classes so MCM deletes with the current credentials and user data. A configuration that no
      // longer validates must not block the deletion: the existing classes are used as they are.
      let desired: DesiredWorker<P> | undefined;
      try {
        desired = this.compute({
          worker,
          cluster,
          credentials: observed.credentials,
          userDataSecrets: observed.userDataSecrets,
          existingDeploymentNames: new Set(observed.deployments.map((d) => d.metadata.name ?? "")),
        });
      } catch (e) {
        ctx.log.info("Deleting with the existing machine classes; the Worker's configuration is invalid", {
          error: (e as Error).message,
        });
      }
      if (desired) await this.withUserDataRedacted(desired, () => this.deployClasses(writer, observed, desired!));
      if (!observed.credentials) {
        throw new Error(
          `${describeWorker(worker)}: the credentials secret ${worker.spec.secretRef.name ?? ""} does not exist; ` +
            "machine-controller-manager cannot delete the machines without it",
        );
      }
      if (!isCredentialsSecretAcquired(observed.credentials)) {
        const description = "Waiting until the machine class credentials secret has been acquired";
        return await this.boundedWait(
          worker,
          ctx,
          "acquire",
          { description, progress: 10 },
          () =>
            Promise.resolve(waitTimeoutError(
              "failed while waiting for the machine class credentials secret to be acquired",
              `machine-controller-manager has not taken ${worker.spec.secretRef.name ?? ""} (no finalizer of it)`,
              [],
            )),
        );
      }
    }
    await writer.labelForceDeletion(machines);
    for (const md of observed.deployments) await writer.delete(MachineV1alpha1.machineDeployments, md);
    for (const cls of observed.classes) await writer.delete(MachineV1alpha1.machineClasses, cls);
    for (const s of await listClassSecrets(ctx.client, ns, ctx.signal)) {
      await writer.delete(CoreV1.secrets, s as Secret & KubeObject);
    }
    const failed = failedMachinesError(observed.deployments);
    if (failed) throw failed;
    const remaining = step.step === "awaitDeletion" ? step.remaining : "all machine resources";
    const description = `Waiting until the following machine resources have been deleted: ${remaining}`;
    return await this.boundedWait(
      worker,
      ctx,
      "deletion",
      { description, progress: 50 },
      () =>
        Promise.resolve(waitTimeoutError(
          "failed while waiting for all machine resources to be deleted",
          `still there: ${remaining}`,
          machines,
        )),
    );
  }

  /** Force deletion gives up the machines: nothing to wait for, nothing to do. */
  forceDelete(worker: Worker, _cluster: ClusterContext, _ctx: ActuatorContext): Promise<void> {
    this.waits.delete(WorkerActuator.waitKey(worker));
    return Promise.resolve();
  }

  /** Migration leaves the machine objects to gardenlet (it persists the machine state itself). */
  migrate(_worker: Worker, _cluster: ClusterContext, _ctx: ActuatorContext): Promise<void> {
    return Promise.resolve();
  }

  /** Re-creates MachineSets and Machines from `status.state`, then reconciles (which scales MCM up, see above). */
  restore(worker: Worker, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    return this.tracked(worker, () => this.restoreWith(worker, cluster, ctx));
  }

  private async restoreWith(
    worker: Worker,
    cluster: ClusterContext,
    ctx: ActuatorContext,
  ): Promise<ActuatorOutcome | void> {
    const ns = worker.metadata.namespace ?? "";
    const state: MachineState = decodeMachineState(worker.status?.state, ns, describeWorker(worker));
    const names = new Set(state.keys());
    const { observed, desired } = await this.plan(worker, cluster, ctx, names);
    await this.withUserDataRedacted(desired, async () => {
      const writer = new MachineObjectWriter(ctx.client, ns, ctx.log, ctx.signal);
      await this.deployClasses(writer, observed, desired);
      const existing = new Set(observed.deployments.map((d) => d.metadata.name ?? ""));
      for (const d of desired.deployments) {
        const recorded = state.get(d.name);
        // Only before the deployment exists: afterwards MCM owns its machines, and a retried restore must not
        // resurrect machines MCM has deleted meanwhile.
        if (!recorded || recorded.machineSets.length === 0 || existing.has(d.name)) continue;
        for (const ms of recorded.machineSets) await writer.createIfAbsent(MachineV1alpha1.machineSets, ms);
        for (const m of recorded.machines) await writer.createIfAbsent(MachineV1alpha1.machines, m);
        ctx.log.info("Restored machine objects", {
          machineDeployment: d.name,
          machineSets: recorded.machineSets.length,
          machines: recorded.machines.length,
        });
      }
    });
    const replicas = new Map<string, number>();
    for (const [name, s] of state) if (s.replicas !== undefined) replicas.set(name, s.replicas);
    return await this.reconcileWith(worker, cluster, ctx, { replicas, names });
  }
}
