/**
 * Gardener's generic extension reconcile protocol for one kind: reads the object and its
 * Cluster, decides the operation, owns the operation annotation, the finalizer, lastOperation, lastError and
 * observedGeneration, and calls the kind's actuator for the actual work.
 *
 * Order of one reconcile (observe → decide → apply → report):
 *   wait-for-state → nothing; failed shoot → nothing; migrated and not asked to migrate/restore → nothing;
 *   `reconcile` annotation removed (on the reconcile path once Processing is recorded); then migrate | delete |
 *   restore | reconcile.
 * A reconcile of an up-to-date object whose actuator changes nothing sends no write at all.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { ReconcileContext, Reconciler, Request, Result } from "../../k8s/controller/controller.ts";
import { isNotFound } from "../../k8s/api/errors.ts";
import type { EventRecorder, EventType } from "../../k8s/controller/events.ts";
import { LastOperationType } from "../../apis/core/v1beta1.ts";
import { isForceDeletionRequested, isShootFailed } from "../../apis/core/shoot.ts";
import { Operation } from "../../apis/extensions/constants.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext, ExtensionKind } from "./actuator.ts";
import { apiClusterReader, type ClusterReader } from "./cluster.ts";
import { determineErrorCodes, isAbort } from "./error_codes.ts";
import { describeExtensionObject, type ExtensionObject } from "./extension_object.ts";
import { LiveObject } from "./live_object_apply.ts";
import { computeOperationType, operationAnnotation, shouldSkipAfterMigration } from "./operation.ts";
import {
  changesMoreThanLastOperation,
  checkActuatorStatusPatch,
  errorDescription,
  errorPatch,
  isUpToDate,
  type Phase,
  phaseTexts,
  processingPatch,
  type StatusPatch,
  successPatch,
} from "./status.ts";

export interface ExtensionReconcilerOptions<T extends ExtensionObject> {
  kind: ExtensionKind;
  actuator: Actuator<T>;
  /** Seed client. */
  client: KubeClient;
  /** Decodes (leniently) and validates the raw object; errors name the field and the object. Default: as is. */
  decode?: (raw: unknown, object: string) => T;
  /** Where Clusters come from (default: the API server through `client`). */
  readCluster?: ClusterReader;
  recorder?: EventRecorder;
  clock?: Clock;
  log?: Logger;
}

const operationsTotal = counter({
  name: "extension_operations_total",
  help: "Operations of the generic extension reconciler, by kind, operation and result " +
    "(succeeded, error, progressing, skipped, up_to_date).",
  labelNames: ["kind", "operation", "result"],
});

/** Event reasons, as the Go library names them (`InfrastructureReconciliation`, ...). */
function eventReason(kind: string, phase: Phase): string {
  switch (phase) {
    case "reconcile":
      return `${kind}Reconciliation`;
    case "delete":
    case "forceDelete":
      return `${kind}Deletion`;
    case "migrate":
      return `${kind}Migration`;
    case "restore":
      return `${kind}Restoration`;
  }
}

/** State shared by the steps of one reconcile. */
interface Run<T extends ExtensionObject> {
  live: LiveObject<T>;
  cluster: ClusterContext;
  signal: AbortSignal;
  log: Logger;
  /** Set when the actuator's own `patchStatus` changed the status. */
  actuatorChangedStatus: boolean;
  /** This reconcile answers gardenlet's request: a `reconcile` or `restore` annotation was there when it started. */
  requested: boolean;
}

/** The generic reconciler of one extension kind; plug it into a `Controller` (see `newExtensionController`). */
export class ExtensionReconciler<T extends ExtensionObject> implements Reconciler {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly readCluster: ClusterReader;

  constructor(readonly options: ExtensionReconcilerOptions<T>) {
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? getLogger(`extension.${options.kind.noun.replace(/\s+/g, "-")}`);
    this.readCluster = options.readCluster ?? apiClusterReader(options.client);
  }

  private get kind(): ExtensionKind {
    return this.options.kind;
  }

  /** Reconciles one object (the controller serialises calls per key). */
  async reconcile(req: Request, rctx: ReconcileContext): Promise<Result | void> {
    const { client } = this.options;
    const signal = rctx.signal;
    let raw: T;
    try {
      raw = await client.get<T>(this.kind.resource, req.name, { namespace: req.namespace, signal });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const what = describeExtensionObject(this.kind.kind, raw);
    const log = rctx.log.with({ [this.kind.kind.toLowerCase()]: `${req.namespace ?? ""}/${req.name}` });
    if (operationAnnotation(raw) === Operation.WaitForState) {
      log.debug("Waiting for gardenlet to fill in the state (wait-for-state); nothing to do");
      return this.count("none", "skipped");
    }
    const namespace = raw.metadata.namespace ?? "";
    const cluster = await this.readCluster(namespace, signal);
    if (!cluster) throw new Error(`${what}: no Cluster named ${JSON.stringify(namespace)} (written by gardenlet)`);
    if (isShootFailed(cluster.shoot)) {
      log.info("Skipping: the shoot's last operation failed; waiting for a retry of the shoot");
      return this.count("none", "skipped");
    }

    const live = new LiveObject<T>(client, this.kind, raw, signal);
    const annotation = operationAnnotation(raw);
    const requested = annotation === Operation.Reconcile || annotation === Operation.Restore;
    const run: Run<T> = { live, cluster, signal, log, actuatorChangedStatus: false, requested };
    const op = computeOperationType(raw);
    if (shouldSkipAfterMigration(raw, op)) {
      log.debug("Skipping: the object was migrated to another seed");
      return this.count(op, "skipped");
    }
    let obj: T;
    try {
      obj = this.decode(raw);
    } catch (e) {
      return await this.fail(run, op, phaseOf(op, raw), e);
    }
    const upToDate = isUpToDate(obj, this.kind.finalizer);
    // gardenlet's request (`reconcile`) is acknowledged by removing the annotation, as the library's
    // OperationAnnotationWrapper does — but on the reconcile path only once lastOperation says Processing: a crash
    // between the two must not lose the request (after a restart, an object whose last operation is not Succeeded is
    // reconciled again; one whose annotation is gone and whose last operation still says Succeeded would not be).
    const acknowledge = annotation === Operation.Reconcile;
    if (acknowledge && (op === LastOperationType.Migrate || obj.metadata.deletionTimestamp)) {
      await live.removeOperationAnnotation();
    }

    if (op === LastOperationType.Migrate) return await this.migrate(run);
    if (obj.metadata.deletionTimestamp) return await this.delete(run);
    // Restore as Gardener dispatches it: on the operation type, so an unfinished Restore whose annotation is gone
    // (gardenlet replaced it, or a crash) resumes as a restore and recreates what the state holds.
    if (op === LastOperationType.Restore) return await this.restore(run);
    return await this.reconcileOrCreate(run, op, upToDate, acknowledge);
  }

  private decode(raw: T): T {
    return this.options.decode ? this.options.decode(raw, describeExtensionObject(this.kind.kind, raw)) : raw;
  }

  private async reconcileOrCreate(
    run: Run<T>,
    op: LastOperationType,
    upToDate: boolean,
    acknowledge: boolean,
  ): Promise<Result | void> {
    const texts = phaseTexts("reconcile", this.kind.noun);
    await run.live.ensureFinalizer();
    const writesBefore = run.live.writes;
    if (!upToDate) await this.start(run, op, "reconcile");
    // After Processing is recorded (an annotated object is never up to date, so `start` ran).
    if (acknowledge) await run.live.removeOperationAnnotation();
    const input = this.decode(run.live.current);
    let outcome: ActuatorOutcome | void;
    try {
      outcome = await this.options.actuator.reconcile(input, run.cluster, this.actuatorContext(run));
    } catch (e) {
      return await this.fail(run, op, "reconcile", e, input);
    }
    if (outcome?.progressing) return await this.progressing(run, op, outcome.progressing);
    const success = this.successPatch(op, texts.success, input, outcome);
    if (upToDate && !run.actuatorChangedStatus && !changesMoreThanLastOperation(run.live.current.status, success)) {
      run.log.debug("Up to date; nothing written", { writes: run.live.writes - writesBefore });
      return this.count(op, "up_to_date");
    }
    await this.succeed(run, op, "reconcile", success);
  }

  private async delete(run: Run<T>): Promise<Result | void> {
    const op = LastOperationType.Delete;
    if (!run.live.hasFinalizer()) {
      run.log.debug("Deleted object without our finalizer; nothing to do");
      return this.count(op, "skipped");
    }
    const force = isForceDeletionRequested(run.cluster.shoot);
    const phase: Phase = force ? "forceDelete" : "delete";
    await this.start(run, op, phase);
    const input = this.decode(run.live.current);
    let outcome: ActuatorOutcome | void = undefined;
    try {
      const actx = this.actuatorContext(run);
      if (force) await this.options.actuator.forceDelete(input, run.cluster, actx);
      else outcome = await this.options.actuator.delete(input, run.cluster, actx);
    } catch (e) {
      return await this.fail(run, op, phase, e, input);
    }
    if (outcome?.progressing) return await this.progressing(run, op, outcome.progressing);
    await this.succeed(
      run,
      op,
      phase,
      this.successPatch(op, phaseTexts(phase, this.kind.noun).success, input, outcome),
    );
    await run.live.removeFinalizer();
  }

  private async migrate(run: Run<T>): Promise<Result | void> {
    const op = LastOperationType.Migrate;
    await this.start(run, op, "migrate");
    const input = this.decode(run.live.current);
    try {
      await this.options.actuator.migrate(input, run.cluster, this.actuatorContext(run));
    } catch (e) {
      return await this.fail(run, op, "migrate", e, input);
    }
    await this.succeed(run, op, "migrate", this.successPatch(op, phaseTexts("migrate", this.kind.noun).success, input));
    await run.live.removeFinalizer();
    // Last: gardenlet waits for Migrate/Succeeded, and the annotation tells it the request was handled.
    if (!run.live.gone) await run.live.removeOperationAnnotation();
  }

  private async restore(run: Run<T>): Promise<Result | void> {
    const op = LastOperationType.Restore;
    await run.live.ensureFinalizer();
    await this.start(run, op, "restore");
    const input = this.decode(run.live.current);
    let outcome: ActuatorOutcome | void;
    try {
      outcome = await this.options.actuator.restore(input, run.cluster, this.actuatorContext(run));
    } catch (e) {
      return await this.fail(run, op, "restore", e, input);
    }
    if (outcome?.progressing) return await this.progressing(run, op, outcome.progressing);
    const success = this.successPatch(op, phaseTexts("restore", this.kind.noun).success, input, outcome);
    await this.succeed(run, op, "restore", success);
    // Last, as for migrate: until Restore/Succeeded is recorded, the annotation keeps the request alive.
    await run.live.removeOperationAnnotation();
  }

  // ---- steps ----------------------------------------------------------------------------------------------------

  private actuatorContext(run: Run<T>): ActuatorContext {
    return {
      signal: run.signal,
      log: run.log,
      clock: this.clock,
      client: this.options.client,
      recorder: this.options.recorder,
      requested: run.requested,
      patchStatus: async (patch) => {
        checkActuatorStatusPatch(patch, describeExtensionObject(this.kind.kind, run.live.current));
        if (await run.live.patchStatus(patch)) run.actuatorChangedStatus = true;
      },
    };
  }

  private successPatch(op: LastOperationType, text: string, input: T, outcome?: ActuatorOutcome | void): StatusPatch {
    const extra = outcome?.status ?? {};
    checkActuatorStatusPatch(extra, describeExtensionObject(this.kind.kind, input));
    // The generation the actuator worked on, not a newer one that arrived meanwhile (that needs its own reconcile).
    return successPatch(op, text, this.clock.now(), input.metadata.generation, extra);
  }

  private async start(run: Run<T>, op: LastOperationType, phase: Phase): Promise<void> {
    const text = phaseTexts(phase, this.kind.noun).start;
    run.log.info(text, { operation: op });
    if (await run.live.patchStatus(processingPatch(op, text, this.clock.now()))) {
      this.event(run, "Normal", phase, text);
    }
  }

  private async succeed(run: Run<T>, op: LastOperationType, phase: Phase, patch: StatusPatch): Promise<void> {
    const text = phaseTexts(phase, this.kind.noun).success;
    await run.live.patchStatus(patch);
    run.log.info(text, { operation: op });
    this.event(run, "Normal", phase, text);
    this.count(op, "succeeded");
  }

  private async progressing(
    run: Run<T>,
    op: LastOperationType,
    p: NonNullable<ActuatorOutcome["progressing"]>,
  ): Promise<Result> {
    const progress = Math.min(99, Math.max(1, Math.round(p.progress ?? 1)));
    await run.live.patchStatus(processingPatch(op, p.description, this.clock.now(), progress));
    run.log.info("Operation in progress", {
      operation: op,
      description: p.description,
      requeueAfterMs: p.requeueAfterMs,
    });
    this.count(op, "progressing");
    return { requeueAfterMs: Math.max(1, p.requeueAfterMs) };
  }

  /** Reports a failed operation (state Error, lastError with codes) and rethrows, so the queue retries with backoff. */
  private async fail(run: Run<T>, op: LastOperationType, phase: Phase, err: unknown, input?: T): Promise<never> {
    if (isAbort(err, run.signal)) throw err; // shutdown, not a failure worth reporting
    const codes = determineErrorCodes(err);
    const description = errorDescription(phaseTexts(phase, this.kind.noun).error, err);
    const generation = (input ?? run.live.current).metadata.generation;
    try {
      await run.live.patchStatus(errorPatch(op, description, codes, this.clock.now(), generation));
    } catch (e) {
      run.log.error("Could not write the error status", { error: e });
    }
    this.event(run, "Warning", phase, description);
    this.count(op, "error");
    throw err;
  }

  private event(run: Run<T>, type: EventType, phase: Phase, message: string): void {
    this.options.recorder?.event(run.live.current, type, eventReason(this.kind.kind, phase), message);
  }

  private count(op: string, result: string): void {
    operationsTotal.inc({ kind: this.kind.kind, operation: op, result });
  }
}

/** The phase a failure before dispatch belongs to (for its error text). */
function phaseOf(op: LastOperationType, obj: ExtensionObject): Phase {
  if (op === LastOperationType.Migrate) return "migrate";
  if (obj.metadata.deletionTimestamp) return "delete";
  if (op === LastOperationType.Restore) return "restore";
  return "reconcile";
}
