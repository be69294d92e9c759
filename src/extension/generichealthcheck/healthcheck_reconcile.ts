/**
 * The health-check reconciler of one extension kind, as Gardener's library runs it: every sync period it runs the
 * kind's checks for an object (reads from caches: the object, its Cluster, seed objects, the shoot's nodes), turns
 * the outcomes into conditions and writes `status.conditions` — only when they changed, with the object's
 * resourceVersion (a conflict re-reads the object and merges again, so the reconciler's fields are never lost).
 * Objects being deleted or migrated are skipped; a hibernated shoot gets every condition True "Shoot is hibernated".
 */
import { isHibernationEnabled } from "../../apis/core/shoot.ts";
import { LastOperationType } from "../../apis/core/v1beta1.ts";
import type { Condition } from "../../apis/extensions/v1alpha1.ts";
import { ANNOTATION_OPERATION } from "../../apis/extensions/constants.ts";
import { isConflict, isNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import type { Informer } from "../../k8s/cache/informer.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import type { ReconcileContext, Reconciler, Request, Result } from "../../k8s/controller/controller.ts";
import type { Clock } from "../../runtime/clock.ts";
import { counter } from "../../observability/metrics.ts";
import { clusterContextOf, type ExtensionKind } from "../reconciler/mod.ts";
import {
  type CheckOutcome,
  type CheckResult,
  type ConditionVerdict,
  conditionVerdicts,
  hibernatedVerdicts,
  mergeConditions,
} from "./conditions.ts";

/** What a check may read for one shoot namespace. */
export interface CheckContext {
  /** The shoot namespace in the seed. */
  namespace: string;
  signal: AbortSignal;
}

/** One health check contributing to a condition type; a thrown error means the check could not run. */
export interface HealthCheck {
  conditionType: string;
  /** Short name for logs. */
  name: string;
  check(ctx: CheckContext): CheckResult | Promise<CheckResult>;
}

/** The checks registered for one extension kind (Gardener's `DefaultRegistration`). */
export interface HealthCheckRegistration {
  kind: ExtensionKind;
  checks: readonly HealthCheck[];
  /** Conditions an earlier version wrote on this kind that are removed (e.g. `ControlPlaneHealthy` on Worker). */
  conditionTypesToRemove?: readonly string[];
}

/** The condition types of a registration, in the order of their first check. */
export function conditionTypesOf(reg: HealthCheckRegistration): string[] {
  return [...new Set(reg.checks.map((c) => c.conditionType))];
}

/** Options of the health-check reconciler. */
export interface HealthCheckReconcilerOptions {
  registration: HealthCheckRegistration;
  client: KubeClient;
  /** The kind's informer (shared with its controller). */
  objects: Informer<KubeObject>;
  clusters: Informer<KubeObject>;
  syncPeriodMs: number;
  clock: Clock;
  /** Called when an object no longer needs its shoot read (hibernated, deleted, migrated, gone). */
  release?: (namespace: string) => void;
}

const writes = counter({
  name: "extension_healthcheck_condition_writes_total",
  help: "Status writes of health-check conditions per kind and result (written, conflict).",
  labelNames: ["kind", "result"],
});

interface ObjectStatusView {
  status?: { conditions?: Condition[]; lastOperation?: { type?: string } };
}

/** True while the object is being migrated to another seed (annotation `migrate` or last operation Migrate). */
export function isInMigration(obj: KubeObject): boolean {
  if (obj.metadata.annotations?.[ANNOTATION_OPERATION] === "migrate") return true;
  return (obj as ObjectStatusView).status?.lastOperation?.type === LastOperationType.Migrate;
}

/** True if the Cluster's shoot asks for hibernation; a Cluster that does not decode counts as awake. */
export function hibernated(cluster: KubeObject): boolean {
  try {
    return isHibernationEnabled(clusterContextOf(cluster).shoot);
  } catch {
    return false;
  }
}

function conditionsOf(obj: KubeObject): Condition[] {
  return (obj as ObjectStatusView).status?.conditions ?? [];
}

/** Runs a registration's checks for one object per request and writes the conditions that changed. */
export class HealthCheckReconciler implements Reconciler {
  /** Status writes made (successful updates). */
  writeCount = 0;
  private readonly types: string[];

  constructor(private readonly opts: HealthCheckReconcilerOptions) {
    this.types = conditionTypesOf(opts.registration);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void> {
    const namespace = req.namespace ?? "";
    const obj = this.opts.objects.get(req);
    if (!obj) {
      this.opts.release?.(namespace);
      return;
    }
    if (obj.metadata.deletionTimestamp || isInMigration(obj)) {
      this.opts.release?.(namespace);
      return;
    }
    const requeue = { requeueAfterMs: this.opts.syncPeriodMs };
    const cluster = this.opts.clusters.get(namespace);
    let verdicts: (conditions: readonly Condition[]) => ConditionVerdict[];
    if (cluster && hibernated(cluster)) {
      // As the library: no periodic pass while hibernated; waking up changes the Cluster, whose watch brings it back.
      this.opts.release?.(namespace);
      await this.write(obj, () => hibernatedVerdicts(this.types), ctx);
      return;
    } else {
      const outcomes = await this.runChecks(namespace, ctx.signal);
      verdicts = (conditions) => conditionVerdicts(this.types, outcomes, conditions, this.opts.clock.now());
    }
    await this.write(obj, verdicts, ctx);
    return requeue;
  }

  /** Runs every check in parallel; errors become failed checks. */
  private async runChecks(namespace: string, signal: AbortSignal): Promise<CheckOutcome[]> {
    return await Promise.all(this.opts.registration.checks.map(async (c): Promise<CheckOutcome> => {
      try {
        return { conditionType: c.conditionType, result: await c.check({ namespace, signal }) };
      } catch (e) {
        return { conditionType: c.conditionType, error: e instanceof Error ? e.message : String(e) };
      }
    }));
  }

  /**
   * Writes the conditions if they changed: an update of the status with the object's resourceVersion; on a
   * conflict the object is read again and the conditions merged into what is there now.
   */
  private async write(
    cached: KubeObject,
    verdicts: (conditions: readonly Condition[]) => ConditionVerdict[],
    ctx: ReconcileContext,
  ): Promise<void> {
    const res = this.opts.registration.kind.resource;
    const remove = this.opts.registration.conditionTypesToRemove ?? [];
    let current = cached;
    for (let attempt = 0;; attempt++) {
      const before = conditionsOf(current);
      const after = mergeConditions(before, verdicts(before), remove, this.opts.clock.now());
      if (jsonEqual(before, after)) return;
      const status = { ...((current as { status?: Record<string, unknown> }).status ?? {}), conditions: after };
      try {
        await this.opts.client.updateStatus(res, { ...current, status } as KubeObject, {
          namespace: current.metadata.namespace,
          signal: ctx.signal,
        });
        this.writeCount++;
        writes.inc({ kind: this.opts.registration.kind.kind, result: "written" });
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
        writes.inc({ kind: this.opts.registration.kind.kind, result: "conflict" });
        ctx.log.debug("Conflict writing health conditions; reading the object again", { attempt });
        try {
          current = await this.opts.client.get(res, current.metadata.name ?? "", {
            namespace: current.metadata.namespace,
            signal: ctx.signal,
          });
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
        if (current.metadata.deletionTimestamp || isInMigration(current)) return;
      }
    }
  }
}
