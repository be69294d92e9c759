/**
 * SIMULATION of machine-controller-manager's MachineSet controller (not part of our product: in a real landscape
 * MCM's own binary runs it). One reconcile: observe the set and the machines it owns (adopting matching orphans) →
 * keep node template, MachineConfiguration and class kind of the machines in line → auto-preserve Failed machines
 * (machineset_preservation.ts) → create missing machines in
 * slow-start batches / delete surplus and Failed ones (API delete, then at once phase Terminating and lastOperation
 * "Deleting machine from cloud provider", as MCM writes it) → when the set is being deleted, delete every machine
 * and release the finalizer once none is left → write the status if it changed.
 */
import { type Machine, type MachineSet, MCM_FINALIZER } from "../../apis/machine/v1alpha1.ts";
import type { ReconcileContext, Reconciler, Request, Result } from "../../k8s/controller/controller.ts";
import { ApiError, isNotFound } from "../../k8s/api/errors.ts";
import { hasFinalizer, objectKey } from "../../k8s/api/objects.ts";
import { MachineV1alpha1 } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import type { Clock } from "../../runtime/clock.ts";
import { FIELD_MANAGER, RESYNC_MS, SLOW_START_INITIAL_BATCH, TERMINATING_STATUS } from "./keys.ts";
import type { FreshView } from "../../k8s/cache/fresh_view.ts";
import { controllerReference, machineFromTemplate } from "./machine_template.ts";
import { machineSpecSyncOps } from "./machine_spec_sync.ts";
import { applyAutoPreservation } from "./machineset_preservation.ts";
import { planMachineSetReplicas, slowStartBatches } from "./machineset_replicas.ts";
import { computeMachineSetStatus, machineSetStatusChanged } from "./machineset_status.ts";
import { metav1Time } from "../kernel/mod.ts";
import type { ObjectWrites } from "./object_writes.ts";
import { adoptable, CONTROLLER_UID_INDEX, isControlledBy, ORPHAN } from "./ownership.ts";
import { describeProblems, machineSetProblems } from "./validation.ts";

/** What the MachineSet reconciler works with. */
export interface MachineSetControllerDeps {
  machines: FreshView<Machine>;
  sets: FreshView<MachineSet>;
  writes: ObjectWrites;
  clock: Clock;
  log: Logger;
}

/** An error whose request may have been carried out although no answer came back. */
function outcomeUnknown(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.code === 500 || e.code === 504;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The simulated MachineSet controller's reconcile. */
export class MachineSetReconciler implements Reconciler {
  /** Sets whose last creation may have happened without us knowing the machine: re-list before counting. */
  private readonly uncertain = new Set<string>();
  /** Generation of each invalid set already reported (no log flood). */
  private readonly reportedInvalid = new Map<string, number>();
  /**
   * Machines found in line with a set's template, by the cached object (a new version is a new object) → that set's
   * uid and generation. The comparison is most of the simulation's CPU at 1,000 machines: every machine event re-syncs
   * its set, and the set's machines rarely change what the comparison reads.
   */
  private readonly inLine = new WeakMap<Machine, string>();

  constructor(private readonly deps: MachineSetControllerDeps) {}

  /** Machines owned by `ms`, freshest versions. */
  machinesOf(ms: MachineSet): Machine[] {
    const uid = ms.metadata.uid;
    const cached = uid ? this.deps.machines.informer.byIndex(CONTROLLER_UID_INDEX, uid) : [];
    return this.deps.machines.merge(cached, (m) => isControlledBy(m, uid));
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void> {
    const key = objectKey(req);
    let ms = this.deps.sets.get(key);
    if (!ms) {
      this.uncertain.delete(key);
      this.reportedInvalid.delete(key);
      return;
    }
    const problems = machineSetProblems(ms);
    if (problems.length) {
      this.reportInvalid(key, ms, problems, ctx.log);
      return;
    }
    this.reportedInvalid.delete(key);
    const deleting = !!ms.metadata.deletionTimestamp;
    if (!deleting) {
      ms = await this.deps.writes.setFinalizer(MachineV1alpha1.machineSets, this.deps.sets, ms, MCM_FINALIZER, true);
      if (!ms) return;
    }

    let machines = this.uncertain.has(key) ? await this.listLive(ms) : this.machinesOf(ms);
    this.uncertain.delete(key);
    if (!deleting) machines = [...machines, ...await this.adoptOrphans(ms)];
    await this.syncMachineSpecs(ms, machines, ctx.log);
    if (!deleting) machines = await applyAutoPreservation(this.deps, ms, machines, ctx.log);

    let replicaError: string | undefined;
    if (!deleting) {
      replicaError = await this.manageReplicas(key, ms, machines, ctx.log);
    } else if (machines.length === 0) {
      await this.deps.writes.setFinalizer(MachineV1alpha1.machineSets, this.deps.sets, ms, MCM_FINALIZER, false);
      return;
    } else if (hasFinalizer(ms, MCM_FINALIZER)) {
      ctx.log.debug("Machine set is being deleted; deleting its machines", { machines: machines.length });
      replicaError = await this.terminate(machines.filter((m) => !m.metadata.deletionTimestamp), ctx.log);
    }

    // Like MCM, the status describes the machines as this sync found them (a machine failed and deleted in this
    // sync is still reported as failed); the changes made now show in the next sync, which their events trigger.
    const current = this.deps.sets.get(key) ?? ms;
    const status = computeMachineSetStatus(current, machines, replicaError, this.deps.clock.now());
    if (machineSetStatusChanged(current, status)) {
      await this.deps.writes.writeStatus(MachineV1alpha1.machineSets, this.deps.sets, current, status);
    }
    if (replicaError !== undefined) throw new Error(`machine set ${key}: ${replicaError}`);
    return { requeueAfterMs: RESYNC_MS };
  }

  private reportInvalid(key: string, ms: MachineSet, problems: string[], log: Logger): void {
    const generation = ms.metadata.generation ?? 0;
    if (this.reportedInvalid.get(key) === generation) return;
    this.reportedInvalid.set(key, generation);
    log.error("Machine set is invalid; leaving it alone", {
      error: describeProblems("MachineSet", key, problems),
    });
  }

  /** Machines of `ms` read from the API server (after a creation whose outcome is unknown). */
  private async listLive(ms: MachineSet): Promise<Machine[]> {
    const list = await this.deps.writes.client.listAll<Machine>(MachineV1alpha1.machines, {
      namespace: ms.metadata.namespace,
    });
    const owned = list.items.filter((m) => isControlledBy(m, ms.metadata.uid));
    for (const m of owned) this.deps.machines.wrote(m);
    return this.machinesOf(ms);
  }

  private async adoptOrphans(ms: MachineSet): Promise<Machine[]> {
    const orphans = adoptable(
      this.deps.machines.merge(this.deps.machines.informer.byIndex(CONTROLLER_UID_INDEX, ORPHAN), () => true),
      ms.metadata.namespace,
      ms.spec?.selector,
    );
    const adopted: Machine[] = [];
    for (const m of orphans) {
      try {
        adopted.push(
          await this.deps.writes.adopt(
            MachineV1alpha1.machines,
            this.deps.machines,
            m,
            controllerReference(ms, "MachineSet"),
          ),
        );
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return adopted;
  }

  private async syncMachineSpecs(ms: MachineSet, machines: Machine[], log: Logger): Promise<void> {
    const template = `${ms.metadata.uid}/${ms.metadata.generation ?? 0}`;
    for (const m of machines) {
      if (m.metadata.deletionTimestamp || this.inLine.get(m) === template) continue;
      const ops = machineSpecSyncOps(ms, m);
      if (ops.length === 0) {
        this.inLine.set(m, template);
        continue;
      }
      this.deps.writes.count(MachineV1alpha1.machines, "patch");
      this.deps.writes.stats.machinesUpdated++;
      try {
        const out = await this.deps.writes.client.patch<Machine>(
          MachineV1alpha1.machines,
          m.metadata.name!,
          [
            { op: "test", path: "/metadata/uid", value: m.metadata.uid },
            ...ops,
          ],
          "json",
          { namespace: m.metadata.namespace, fieldManager: FIELD_MANAGER },
        );
        this.deps.machines.wrote(out);
        log.debug("Synced machine spec with the machine set template", {
          machine: m.metadata.name,
          fields: ops.map((o) => o.path),
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Creates or deletes machines; returns the message of the first failure. */
  private async manageReplicas(
    key: string,
    ms: MachineSet,
    machines: Machine[],
    log: Logger,
  ): Promise<string | undefined> {
    const plan = planMachineSetReplicas(ms, machines, this.deps.clock.now());
    if (plan.blocked) {
      log.info("Machine set needs machines but may not create any", {
        reason: plan.blocked,
        replicas: ms.spec?.replicas ?? 0,
      });
    }
    if (plan.create > 0) {
      log.info("Too few machines; creating", { replicas: ms.spec?.replicas ?? 0, creating: plan.create });
      for (const size of slowStartBatches(plan.create, SLOW_START_INITIAL_BATCH)) {
        const results = await Promise.allSettled(Array.from({ length: size }, () => this.createMachine(key, ms)));
        const failed = results.find((r) => r.status === "rejected");
        // A failing batch ends the burst: the next sync retries (quota errors would only repeat).
        if (failed) return messageOf((failed as PromiseRejectedResult).reason);
      }
      return undefined;
    }
    if (plan.remove.length > 0) {
      log.info("Deleting machines", {
        replicas: ms.spec?.replicas ?? 0,
        machines: plan.remove.map((m) => m.metadata.name),
      });
      return await this.terminate(plan.remove, log);
    }
    return undefined;
  }

  private async createMachine(key: string, ms: MachineSet): Promise<void> {
    this.deps.writes.count(MachineV1alpha1.machines, "create");
    try {
      const created = await this.deps.writes.client.create<Machine>(
        MachineV1alpha1.machines,
        machineFromTemplate(ms),
        { fieldManager: FIELD_MANAGER },
      );
      this.deps.machines.wrote(created);
      this.deps.writes.stats.machinesCreated++;
    } catch (e) {
      if (outcomeUnknown(e)) this.uncertain.add(key);
      throw e;
    }
  }

  /** Deletes machines and marks them Terminating; returns the message of the first failed deletion. */
  private async terminate(machines: Machine[], log: Logger): Promise<string | undefined> {
    const results = await Promise.allSettled(machines.map((m) => this.terminateOne(m, log)));
    const failed = results.find((r) => r.status === "rejected");
    return failed ? messageOf((failed as PromiseRejectedResult).reason) : undefined;
  }

  private async terminateOne(m: Machine, log: Logger): Promise<void> {
    const existed = await this.deps.writes.delete(MachineV1alpha1.machines, this.deps.machines, m);
    if (!existed) return;
    this.deps.writes.stats.machinesDeleted++;
    // MCM writes the Terminating phase right away so that the set counts the machine out before the machine
    // controller gets to it (the replacement of a Failed machine is created on the next sync).
    const now = metav1Time(this.deps.clock.now());
    this.deps.writes.count(MachineV1alpha1.machines, "patch");
    this.deps.writes.stats.statusWrites++;
    try {
      const out = await this.deps.writes.client.patch<Machine>(
        MachineV1alpha1.machines,
        m.metadata.name!,
        {
          status: {
            lastOperation: {
              description: TERMINATING_STATUS.description,
              state: TERMINATING_STATUS.state,
              type: TERMINATING_STATUS.type,
              lastUpdateTime: now,
              errorCode: null,
            },
            currentStatus: {
              phase: TERMINATING_STATUS.phase,
              timeoutActive: false,
              lastUpdateTime: now,
              preserveExpiryTime: null,
            },
          },
        },
        "merge",
        { namespace: m.metadata.namespace, subresource: "status", fieldManager: FIELD_MANAGER },
      );
      this.deps.machines.wrote(out);
    } catch (e) {
      // The machine may already be gone (no finalizer); MCM only logs a failed status write here.
      if (!isNotFound(e)) {
        log.info("Could not mark deleted machine Terminating", { machine: m.metadata.name, error: e });
      }
    }
  }
}
