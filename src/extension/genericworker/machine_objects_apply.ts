/**
 * Apply step of the Worker controller: idempotent writes of machine objects. Every write compares the fields this
 * controller owns (`ownedView`s) with the stored object first and sends a merge patch of the difference only, so an
 * up-to-date namespace costs no write requests; creates that race with another writer and deletes of objects that are
 * already gone count as done.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import {
  LABEL_FORCE_DELETION,
  type Machine,
  type MachineClass,
  type MachineDeployment,
} from "../../apis/machine/v1alpha1.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { AppsV1, CoreV1, MachineV1alpha1, type ResourceType } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { NamespaceWriter } from "../reconciler/mod.ts";
import { classSecretOwnedView, machineClassOwnedView } from "./machine_class_objects.ts";
import { machineDeploymentOwnedView } from "./machine_deployment.ts";
import { MCM_DEPLOYMENT } from "./observed_state.ts";

/** Value of `force-deletion` that makes MCM skip draining and delete at once. */
export const FORCE_DELETION_VALUE = "True";

const writesTotal = counter({
  name: "extension_worker_api_writes_total",
  help: "Write requests of the Worker controller to the seed, by verb and resource.",
  labelNames: ["verb", "resource"],
});

/** Writes machine objects of one namespace. */
export class MachineObjectWriter extends NamespaceWriter {
  constructor(client: KubeClient, namespace: string, log: Logger, signal?: AbortSignal) {
    super(client, namespace, log, signal, writesTotal);
  }

  /** Creates `desired` or patches the owned fields of `existing` that differ; returns the stored object. */
  ensure<T extends KubeObject>(
    res: ResourceType,
    desired: T,
    existing: T | undefined,
    ownedView: (obj: T) => Record<string, unknown>,
  ): Promise<T> {
    return this.createOrPatch(
      res,
      desired,
      existing,
      (stored) => ({ from: ownedView(stored), to: ownedView(desired) }),
    );
  }

  /** Ensures a class Secret. */
  ensureClassSecret(desired: Secret, existing: Secret | undefined): Promise<Secret> {
    return this.ensure(
      CoreV1.secrets,
      desired as Secret & KubeObject,
      existing as (Secret & KubeObject) | undefined,
      classSecretOwnedView,
    );
  }

  /** Ensures a MachineClass. */
  ensureMachineClass(desired: MachineClass, existing: MachineClass | undefined): Promise<MachineClass> {
    return this.ensure(MachineV1alpha1.machineClasses, desired, existing, machineClassOwnedView);
  }

  /** Ensures a MachineDeployment. */
  ensureMachineDeployment(
    desired: MachineDeployment,
    existing: MachineDeployment | undefined,
  ): Promise<MachineDeployment> {
    return this.ensure(MachineV1alpha1.machineDeployments, desired, existing, machineDeploymentOwnedView);
  }

  /** Creates an object unless one of that name exists (restore); true if it was created. */
  async createIfAbsent<T extends KubeObject>(res: ResourceType, obj: T): Promise<boolean> {
    try {
      this.count("create", res);
      await this.client.create<T>(res, obj, this.opts);
      return true;
    } catch (e) {
      if (isAlreadyExists(e)) return false;
      throw e;
    }
  }

  /** Deletes an object unless it is already being deleted; a missing object counts as deleted. */
  async delete(res: ResourceType, obj: KubeObject): Promise<void> {
    if (obj.metadata.deletionTimestamp) return;
    await this.sendDelete(res, obj.metadata.name ?? "");
  }

  /** Labels Machines `force-deletion=True` (no drain, no PDBs) where the label is missing; returns how many. */
  async labelForceDeletion(machines: readonly Machine[]): Promise<number> {
    const todo = machines.filter((m) => m.metadata.labels?.[LABEL_FORCE_DELETION] !== FORCE_DELETION_VALUE);
    await Promise.all(todo.map(async (m) => {
      try {
        this.count("patch", MachineV1alpha1.machines);
        await this.client.patch(
          MachineV1alpha1.machines,
          m.metadata.name ?? "",
          { metadata: { labels: { [LABEL_FORCE_DELETION]: FORCE_DELETION_VALUE } } },
          "merge",
          this.opts,
        );
      } catch (e) {
        if (!isNotFound(e)) throw e; // a machine that is gone needs no label
      }
    }));
    if (todo.length > 0) this.log.info("Labelled machines for forced deletion", { count: todo.length });
    return todo.length;
  }

  /** Scales MCM's Deployment if it exists and has another replica count (absent in the playground: tolerated). */
  async scaleMachineControllerManager(mcm: Deployment | undefined, replicas: number): Promise<void> {
    if (!mcm || (mcm.spec?.replicas ?? 1) === replicas) return;
    try {
      this.count("patch", AppsV1.deployments);
      await this.client.updateScale(AppsV1.deployments, MCM_DEPLOYMENT, replicas, this.opts);
      this.log.info("Scaled machine-controller-manager", { replicas });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
