/**
 * SIMULATION of machine-controller-manager's MachineDeployment controller (not part of our product: in a real
 * landscape MCM's own binary runs it). One reconcile: observe the deployment and the MachineSets it owns (adopting
 * matching orphans) → a deployment being deleted deletes its sets and releases its finalizer once they are gone →
 * a scaling event or a paused deployment is scaled proportionally → otherwise one step of the RollingUpdate or
 * Recreate strategy (new set created per template hash, scaled up; old sets scaled down as new machines become
 * available; old sets beyond `revisionHistoryLimit` deleted once the rollout is complete) → status written if it
 * changed. The decisions are the pure functions of the sibling modules; this file only applies them.
 */
import { type Machine, type MachineDeployment, type MachineSet, MCM_FINALIZER } from "../../apis/machine/v1alpha1.ts";
import type { ReconcileContext, Reconciler, Request, Result } from "../../k8s/controller/controller.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/api/errors.ts";
import { hasFinalizer, objectKey } from "../../k8s/api/objects.ts";
import { MachineV1alpha1 } from "../../k8s/api/resources.ts";
import type { JsonPatchOperation } from "../../k8s/api/patch/json_patch.ts";
import type { Logger } from "../../observability/log.ts";
import type { Clock } from "../../runtime/clock.ts";
import { semanticEqual } from "./canonical_json.ts";
import {
  maxRevision,
  newMachineSetFor,
  refreshedNewSet,
  replicaAnnotations,
  revisionOf,
  setReplicas,
  splitSets,
} from "./deployment_machine_sets.ts";
import {
  computeDeploymentStatus,
  computeRolloutStatus,
  conditionOf,
  type DeploymentStatus,
  deploymentStatusChanged,
  isComplete,
  newCondition,
  progressCheckDelayMs,
  setCondition,
} from "./deployment_status.ts";
import type { FreshView } from "../../k8s/cache/fresh_view.ts";
import { ANNOTATION_REVISION, DeploymentConditionType, DeploymentReason, FIELD_MANAGER, RESYNC_MS } from "./keys.ts";
import { controllerReference } from "./machine_template.ts";
import type { ObjectWrites } from "./object_writes.ts";
import { adoptable, CONTROLLER_UID_INDEX, isControlledBy, ORPHAN } from "./ownership.ts";
import { isScalingEvent, scalingEventSteps } from "./proportional_scaling.ts";
import { oldMachinesRunning, recreateScaleDownSteps } from "./recreate_update.ts";
import { newSetTarget, rollingUpdateStep, type ScaleStep } from "./rolling_update.ts";
import { templatesEqualIgnoringHash } from "./template_hash.ts";
import { describeProblems, machineDeploymentProblems } from "./validation.ts";
import { desiredReplicas } from "./rollout_limits.ts";

/**
 * JSON patch from `set` to `refreshed` over the fields `refreshedNewSet` changes (guarded by the UID, not the
 * resourceVersion: the set's own status writes must not make this fail).
 */
function refreshPatch(set: MachineSet, refreshed: MachineSet): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [
    { op: "test", path: "/metadata/uid", value: set.metadata.uid },
    { op: "add", path: "/metadata/annotations", value: refreshed.metadata.annotations ?? {} },
  ];
  const minReady = refreshed.spec?.minReadySeconds;
  if (minReady !== undefined) ops.push({ op: "add", path: "/spec/minReadySeconds", value: minReady });
  else if (set.spec?.minReadySeconds !== undefined) ops.push({ op: "remove", path: "/spec/minReadySeconds" });
  const preserveMax = refreshed.spec?.autoPreserveFailedMachineMax;
  if (preserveMax !== undefined) {
    ops.push({ op: "add", path: "/spec/autoPreserveFailedMachineMax", value: preserveMax });
  } else if (set.spec?.autoPreserveFailedMachineMax !== undefined) {
    ops.push({ op: "remove", path: "/spec/autoPreserveFailedMachineMax" });
  }
  const nodeTemplate = refreshed.spec?.template?.spec?.nodeTemplate;
  if (nodeTemplate !== undefined) {
    ops.push({ op: "add", path: "/spec/template/spec/nodeTemplate", value: nodeTemplate });
  } else if (set.spec?.template?.spec?.nodeTemplate !== undefined) {
    ops.push({ op: "remove", path: "/spec/template/spec/nodeTemplate" });
  }
  return ops;
}

/** What the MachineDeployment reconciler works with. */
export interface DeploymentControllerDeps {
  deployments: FreshView<MachineDeployment>;
  sets: FreshView<MachineSet>;
  machines: FreshView<Machine>;
  writes: ObjectWrites;
  clock: Clock;
  log: Logger;
}

/** The deployment with its sets split into the new one and the old ones. */
interface Observed {
  md: MachineDeployment;
  newSet?: MachineSet;
  oldSets: MachineSet[];
}

/** The simulated MachineDeployment controller's reconcile. */
export class DeploymentReconciler implements Reconciler {
  private readonly reported = new Map<string, number>();

  constructor(private readonly deps: DeploymentControllerDeps) {}

  /** MachineSets owned by `md`, freshest versions. */
  setsOf(md: MachineDeployment): MachineSet[] {
    const uid = md.metadata.uid;
    const cached = uid ? this.deps.sets.informer.byIndex(CONTROLLER_UID_INDEX, uid) : [];
    return this.deps.sets.merge(cached, (s) => isControlledBy(s, uid));
  }

  private machineCount(set: MachineSet): number {
    const uid = set.metadata.uid;
    if (!uid) return 0;
    const cached = this.deps.machines.informer.byIndex(CONTROLLER_UID_INDEX, uid);
    return this.deps.machines.merge(cached, (m) => isControlledBy(m, uid)).length;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void> {
    const key = objectKey(req);
    let md = this.deps.deployments.get(key);
    if (!md) {
      this.reported.delete(key);
      return;
    }
    const problems = machineDeploymentProblems(md);
    if (problems.length) {
      this.report(key, md, describeProblems("MachineDeployment", key, problems), ctx.log);
      return;
    }
    if (md.spec.strategy?.type === "InPlaceUpdate") {
      this.report(key, md, `MachineDeployment ${key}: the InPlaceUpdate strategy is not simulated`, ctx.log);
      return;
    }
    this.reported.delete(key);

    if (md.metadata.deletionTimestamp) return await this.whileDeleting(md, ctx.log);
    md = await this.deps.writes.setFinalizer(
      MachineV1alpha1.machineDeployments,
      this.deps.deployments,
      md,
      MCM_FINALIZER,
      true,
    );
    if (!md) return;
    const sets = [...this.setsOf(md), ...await this.adoptOrphans(md)];

    let status: DeploymentStatus;
    if (md.spec.paused || isScalingEvent(md, sets)) {
      status = await this.scale(md, sets, ctx.log);
    } else if (md.spec.strategy?.type === "Recreate") {
      status = await this.recreate(md, sets, ctx.log);
    } else {
      status = await this.rolling(md, sets, ctx.log);
    }
    const delay = progressCheckDelayMs(md, status, this.deps.clock.now());
    return { requeueAfterMs: delay === undefined ? RESYNC_MS : Math.min(delay, RESYNC_MS) };
  }

  private report(key: string, md: MachineDeployment, error: string, log: Logger): void {
    const generation = md.metadata.generation ?? 0;
    if (this.reported.get(key) === generation) return;
    this.reported.set(key, generation);
    log.error("Machine deployment cannot be processed; leaving it alone", { error });
  }

  // ---- deletion ------------------------------------------------------------------------------------------------

  private async whileDeleting(md: MachineDeployment, log: Logger): Promise<void> {
    if (!hasFinalizer(md, MCM_FINALIZER)) return;
    const sets = this.setsOf(md);
    if (sets.length === 0) {
      await this.deps.writes.setFinalizer(
        MachineV1alpha1.machineDeployments,
        this.deps.deployments,
        md,
        MCM_FINALIZER,
        false,
      );
      log.info("Machine deployment has no machine sets left; released its finalizer");
      return;
    }
    for (const s of sets) {
      if (s.metadata.deletionTimestamp) continue;
      if (await this.deps.writes.delete(MachineV1alpha1.machineSets, this.deps.sets, s)) {
        this.deps.writes.stats.machineSetsDeleted++;
        log.info("Deleting machine set of a deleted deployment", { machineSet: s.metadata.name });
      }
    }
    const fresh = this.setsOf(md);
    await this.writeStatus(md, computeDeploymentStatus(md, fresh, splitSets(md, fresh).newSet, this.deps.clock.now()));
  }

  // ---- strategies ----------------------------------------------------------------------------------------------

  /** Scaling event or paused deployment (MCM's `sync`). */
  private async scale(md: MachineDeployment, sets: MachineSet[], log: Logger): Promise<DeploymentStatus> {
    const o = await this.observe(md, sets, false, log);
    await this.apply(o.md, scalingEventSteps(o.md, o.newSet, o.oldSets), log);
    if (o.md.spec.paused) await this.cleanup(o.md, o.oldSets, log);
    const fresh = this.setsOf(o.md);
    const status = computeDeploymentStatus(o.md, fresh, this.newSetAmong(o, fresh), this.deps.clock.now());
    await this.writeStatus(o.md, status);
    return status;
  }

  private async rolling(md: MachineDeployment, sets: MachineSet[], log: Logger): Promise<DeploymentStatus> {
    const o = await this.observe(md, sets, true, log);
    const steps = o.newSet ? rollingUpdateStep(o.md, o.newSet, o.oldSets) : [];
    if (steps.length) await this.apply(o.md, steps, log);
    else if (isComplete(o.md, o.md.status)) await this.cleanup(o.md, o.oldSets, log);
    return await this.rolloutStatus(o);
  }

  private async recreate(md: MachineDeployment, sets: MachineSet[], log: Logger): Promise<DeploymentStatus> {
    let o = await this.observe(md, sets, false, log);
    const down = recreateScaleDownSteps(o.oldSets);
    if (down.length) {
      await this.apply(o.md, down, log);
      return await this.rolloutStatus(o);
    }
    if (oldMachinesRunning(o.oldSets, (s) => this.machineCount(s))) return await this.rolloutStatus(o);
    if (!o.newSet) o = await this.observe(o.md, sets, true, log);
    if (o.newSet) await this.apply(o.md, [{ set: o.newSet, replicas: desiredReplicas(o.md) }], log);
    if (isComplete(o.md, o.md.status)) await this.cleanup(o.md, o.oldSets, log);
    return await this.rolloutStatus(o);
  }

  private async rolloutStatus(o: Observed): Promise<DeploymentStatus> {
    const fresh = this.setsOf(o.md);
    const status = computeRolloutStatus(o.md, fresh, this.newSetAmong(o, fresh), this.deps.clock.now());
    await this.writeStatus(o.md, status);
    return status;
  }

  private newSetAmong(o: Observed, fresh: MachineSet[]): MachineSet | undefined {
    const uid = o.newSet?.metadata.uid;
    return uid ? fresh.find((s) => s.metadata.uid === uid) ?? o.newSet : undefined;
  }

  // ---- observation: new set, revisions ---------------------------------------------------------------------------

  /**
   * Splits the sets, brings an existing new set up to date (annotations, revision, minReadySeconds, node template)
   * and the deployment's revision annotation with it, and creates the new set if `create` and there is none.
   */
  private async observe(
    md: MachineDeployment,
    sets: MachineSet[],
    create: boolean,
    log: Logger,
  ): Promise<Observed> {
    const { newSet, oldSets } = splitSets(md, sets);
    const revision = maxRevision(oldSets) + 1;
    if (newSet) {
      const refreshed = refreshedNewSet(md, newSet, revision);
      if (refreshed) {
        this.deps.writes.count(MachineV1alpha1.machineSets, "patch");
        this.deps.writes.stats.machineSetsUpdated++;
        const out = await this.deps.writes.client.patch<MachineSet>(
          MachineV1alpha1.machineSets,
          newSet.metadata.name!,
          refreshPatch(newSet, refreshed),
          "json",
          { namespace: newSet.metadata.namespace, fieldManager: FIELD_MANAGER },
        );
        this.deps.sets.wrote(out);
        log.debug("Brought the new machine set up to date with the deployment", { machineSet: out.metadata.name });
        return { md, newSet: out, oldSets };
      }
      const synced = await this.syncRevision(md, newSet.metadata.annotations?.[ANNOTATION_REVISION]);
      if (md.spec.progressDeadlineSeconds !== undefined && !conditionOf(synced.status, "Progressing")) {
        this.noteProgress(
          synced,
          DeploymentReason.FoundNewMachineSet,
          `Found new machine set "${newSet.metadata.name}"`,
        );
      }
      return { md: synced, newSet, oldSets };
    }
    if (!create) return { md, oldSets };

    const placeholder = { metadata: {}, spec: { replicas: 0 } } as MachineSet;
    const replicas = newSetTarget(md, [...oldSets, placeholder], placeholder);
    const desired = newMachineSetFor(md, replicas, revision);
    let created: MachineSet;
    this.deps.writes.count(MachineV1alpha1.machineSets, "create");
    try {
      created = await this.deps.writes.client.create<MachineSet>(MachineV1alpha1.machineSets, desired, {
        fieldManager: FIELD_MANAGER,
      });
      this.deps.writes.stats.machineSetsCreated++;
      log.info("Created machine set for the current template", {
        machineSet: created.metadata.name,
        replicas,
        revision,
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      created = await this.existingNamesake(md, desired);
    }
    this.deps.sets.wrote(created);
    let synced = await this.syncRevision(md, String(revision));
    if (md.spec.progressDeadlineSeconds !== undefined) {
      synced = this.noteProgress(
        synced,
        DeploymentReason.NewMachineSetCreated,
        `Created new machine set "${created.metadata.name}"`,
      );
    }
    return { md: synced, newSet: created, oldSets };
  }

  /** The set that already has the new set's name: ours (a repeated create), or a hash collision. */
  private async existingNamesake(md: MachineDeployment, desired: MachineSet): Promise<MachineSet> {
    const existing = await this.deps.writes.client.get<MachineSet>(
      MachineV1alpha1.machineSets,
      desired.metadata.name!,
      { namespace: md.metadata.namespace },
    );
    if (
      isControlledBy(existing, md.metadata.uid) &&
      templatesEqualIgnoringHash(existing.spec?.template ?? {}, md.spec.template)
    ) {
      return existing;
    }
    // Another template hashed to the same name: salt the hash and try again on the next reconcile.
    const collisionCount = (md.status?.collisionCount ?? 0) + 1;
    await this.deps.writes.writeStatus(MachineV1alpha1.machineDeployments, this.deps.deployments, md, {
      ...(md.status ?? {}),
      collisionCount,
    });
    throw new Error(
      `machine set name ${desired.metadata.name} is taken by a different template; collisionCount is now ` +
        collisionCount,
    );
  }

  /** Sets the deployment's revision annotation to the new set's revision. */
  private async syncRevision(md: MachineDeployment, revision: string | undefined): Promise<MachineDeployment> {
    if (revision === undefined || md.metadata.annotations?.[ANNOTATION_REVISION] === revision) return md;
    this.deps.writes.count(MachineV1alpha1.machineDeployments, "patch");
    this.deps.writes.stats.deploymentsUpdated++;
    try {
      const out = await this.deps.writes.client.patch<MachineDeployment>(
        MachineV1alpha1.machineDeployments,
        md.metadata.name!,
        { metadata: { annotations: { [ANNOTATION_REVISION]: revision } } },
        "merge",
        { namespace: md.metadata.namespace, fieldManager: FIELD_MANAGER },
      );
      this.deps.deployments.wrote(out);
      return out;
    } catch (e) {
      if (isNotFound(e)) return md;
      throw e;
    }
  }

  /** The deployment with a Progressing=True condition (written with the next status). */
  private noteProgress(md: MachineDeployment, reason: string, message: string): MachineDeployment {
    const status: DeploymentStatus = structuredClone(md.status ?? {});
    setCondition(
      status,
      newCondition(DeploymentConditionType.Progressing, "True", reason, message, this.deps.clock.now()),
    );
    return { ...md, status };
  }

  private async adoptOrphans(md: MachineDeployment): Promise<MachineSet[]> {
    const orphans = adoptable(
      this.deps.sets.merge(this.deps.sets.informer.byIndex(CONTROLLER_UID_INDEX, ORPHAN), () => true),
      md.metadata.namespace,
      md.spec.selector,
    );
    const adopted: MachineSet[] = [];
    for (const s of orphans) {
      try {
        adopted.push(
          await this.deps.writes.adopt(
            MachineV1alpha1.machineSets,
            this.deps.sets,
            s,
            controllerReference(md, "MachineDeployment"),
          ),
        );
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return adopted;
  }

  // ---- apply -----------------------------------------------------------------------------------------------------

  /** Scales sets (a write only where size or replica annotations differ). */
  private async apply(md: MachineDeployment, steps: ScaleStep[], log: Logger): Promise<void> {
    const annotations = replicaAnnotations(md);
    for (const { set, replicas } of steps) {
      const sameSize = setReplicas(set) === replicas;
      const current = Object.fromEntries(Object.keys(annotations).map((k) => [k, set.metadata.annotations?.[k]]));
      if (sameSize && semanticEqual(current, annotations)) continue;
      this.deps.writes.count(MachineV1alpha1.machineSets, "patch");
      if (!sameSize) this.deps.writes.stats.machineSetsScaled++;
      else this.deps.writes.stats.machineSetsUpdated++;
      try {
        const out = await this.deps.writes.client.patch<MachineSet>(
          MachineV1alpha1.machineSets,
          set.metadata.name!,
          {
            metadata: { annotations },
            spec: { replicas },
          },
          "merge",
          { namespace: set.metadata.namespace, fieldManager: FIELD_MANAGER },
        );
        this.deps.sets.wrote(out);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      if (!sameSize) {
        log.info(`Scaled ${replicas > setReplicas(set) ? "up" : "down"} machine set`, {
          machineSet: set.metadata.name,
          from: setReplicas(set),
          to: replicas,
        });
      }
    }
  }

  /** Deletes old, empty sets beyond `revisionHistoryLimit` (none without a limit). */
  private async cleanup(md: MachineDeployment, oldSets: MachineSet[], log: Logger): Promise<void> {
    const limit = md.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = oldSets.filter((s) => !s.metadata.deletionTimestamp);
    const excess = alive.length - limit;
    for (const s of alive.slice(0, Math.max(0, excess))) {
      const busy = (s.status?.replicas ?? 0) !== 0 || setReplicas(s) !== 0 ||
        (s.metadata.generation ?? 0) > (s.status?.observedGeneration ?? 0);
      if (busy) continue;
      if (await this.deps.writes.delete(MachineV1alpha1.machineSets, this.deps.sets, s)) {
        this.deps.writes.stats.machineSetsDeleted++;
        log.info("Deleted old machine set beyond the revision history limit", {
          machineSet: s.metadata.name,
          revision: revisionOf(s),
        });
      }
    }
  }

  private async writeStatus(md: MachineDeployment, status: DeploymentStatus): Promise<void> {
    const current = this.deps.deployments.get(objectKey(md)) ?? md;
    // Conditions noted in memory during this reconcile (Progressing) live on `md`, not on the stored object.
    if (!deploymentStatusChanged(current, status)) return;
    await this.deps.writes.writeStatus(MachineV1alpha1.machineDeployments, this.deps.deployments, current, status);
  }
}
