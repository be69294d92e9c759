/**
 * SIMULATION: the writes both simulated controllers make, each idempotent and safe to repeat after a crash:
 * finalizers (merge patch guarded by resourceVersion, so that other finalizers are never lost), status (JSON patch
 * replacing `status`, guarded by the object's UID), adoption (owner references guarded by resourceVersion) and
 * deletion (guarded by UID; NotFound counts as done). Every result goes into the fresh view, and every request is
 * counted.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { isNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject, OwnerReference } from "../../k8s/api/objects.ts";
import { resourceName, type ResourceType } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { FIELD_MANAGER } from "./keys.ts";
import type { FreshView } from "../../k8s/cache/fresh_view.ts";

/** Writes of the simulation, by kind (benchmarks and "steady state writes nothing" tests read them). */
export interface SimulationStats {
  machineSetsCreated: number;
  machineSetsScaled: number;
  machineSetsUpdated: number;
  machineSetsDeleted: number;
  machinesCreated: number;
  machinesDeleted: number;
  machinesUpdated: number;
  deploymentsUpdated: number;
  statusWrites: number;
  finalizerWrites: number;
  adoptions: number;
  /** Every write request sent, failed ones included. */
  writes: number;
}

/** Fresh counters. */
export function emptyStats(): SimulationStats {
  return {
    machineSetsCreated: 0,
    machineSetsScaled: 0,
    machineSetsUpdated: 0,
    machineSetsDeleted: 0,
    machinesCreated: 0,
    machinesDeleted: 0,
    machinesUpdated: 0,
    deploymentsUpdated: 0,
    statusWrites: 0,
    finalizerWrites: 0,
    adoptions: 0,
    writes: 0,
  };
}

const writeRequests = counter({
  name: "sim_machinedeployments_write_requests_total",
  help: "API write requests of the simulated MachineDeployment/MachineSet controllers, by resource and verb.",
  labelNames: ["resource", "verb"],
});

/** Write helpers bound to one client and the simulation's counters. */
export class ObjectWrites {
  constructor(
    readonly client: KubeClient,
    readonly stats: SimulationStats,
    private readonly log: Logger,
  ) {}

  /** Counts one request (before it is sent: failed requests are writes too). */
  count(res: ResourceType, verb: string): void {
    this.stats.writes++;
    writeRequests.inc({ resource: res.resource, verb });
  }

  /** Adds or removes `finalizer`; returns the object as stored afterwards (unchanged if nothing to do). */
  async setFinalizer<T extends KubeObject>(
    res: ResourceType,
    view: FreshView<T>,
    obj: T,
    finalizer: string,
    present: boolean,
  ): Promise<T | undefined> {
    const current = obj.metadata.finalizers ?? [];
    if (current.includes(finalizer) === present) return obj;
    const finalizers = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
    this.count(res, "patch");
    this.stats.finalizerWrites++;
    try {
      const out = await this.client.patch<T>(
        res,
        obj.metadata.name!,
        {
          metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers },
        },
        "merge",
        { namespace: obj.metadata.namespace, fieldManager: FIELD_MANAGER },
      );
      view.wrote(out);
      this.log.debug(present ? "Added finalizer" : "Removed finalizer", {
        resource: resourceName(res),
        object: obj.metadata.name,
      });
      return out;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Replaces `status` (only the status subresource changes; fails if the object was replaced meanwhile). */
  async writeStatus<T extends KubeObject>(res: ResourceType, view: FreshView<T>, obj: T, status: unknown) {
    this.count(res, "patch");
    this.stats.statusWrites++;
    try {
      const out = await this.client.patch<T>(
        res,
        obj.metadata.name!,
        [
          { op: "test", path: "/metadata/uid", value: obj.metadata.uid },
          { op: "add", path: "/status", value: status },
        ],
        "json",
        { namespace: obj.metadata.namespace, subresource: "status", fieldManager: FIELD_MANAGER },
      );
      view.wrote(out);
      return out;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Makes `owner` the controller of `obj` (which has no controller). */
  async adopt<T extends KubeObject>(res: ResourceType, view: FreshView<T>, obj: T, ref: OwnerReference) {
    this.count(res, "patch");
    this.stats.adoptions++;
    const out = await this.client.patch<T>(
      res,
      obj.metadata.name!,
      {
        metadata: {
          resourceVersion: obj.metadata.resourceVersion,
          ownerReferences: [...(obj.metadata.ownerReferences ?? []), ref],
        },
      },
      "merge",
      { namespace: obj.metadata.namespace, fieldManager: FIELD_MANAGER },
    );
    view.wrote(out);
    this.log.info("Adopted orphan", { resource: resourceName(res), object: obj.metadata.name, owner: ref.name });
    return out;
  }

  /** Deletes `obj` (this very object: a namesake created meanwhile is left alone); false if it was gone already. */
  async delete<T extends KubeObject>(res: ResourceType, view: FreshView<T>, obj: T): Promise<boolean> {
    this.count(res, "delete");
    try {
      const out = await this.client.delete(res, obj.metadata.name!, {
        namespace: obj.metadata.namespace,
        preconditions: obj.metadata.uid ? { uid: obj.metadata.uid } : undefined,
      });
      // An object without finalizers is gone at once (the server answers with a Status or its last state).
      const left = (out as { kind?: string }).kind !== "Status" && (out as T).metadata?.finalizers?.length;
      if (left) view.wrote(out as T);
      else view.deleted(obj);
      return true;
    } catch (e) {
      if (isNotFound(e)) {
        view.deleted(obj);
        return false;
      }
      throw e;
    }
  }
}
