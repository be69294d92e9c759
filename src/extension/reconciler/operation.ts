/**
 * Which operation gardenlet asked for, computed exactly as Gardener's `ComputeOperationType`, and the questions the
 * generic reconciler asks about the operation annotation, as functions of the observed object. Pure.
 */
import { ANNOTATION_OPERATION, ANNOTATION_TIMESTAMP, Operation } from "../../apis/extensions/constants.ts";
import { LastOperationState, LastOperationType } from "../../apis/core/v1beta1.ts";
import type { ExtensionObject } from "./extension_object.ts";

/** The value of `gardener.cloud/operation`, or undefined. */
export function operationAnnotation(obj: ExtensionObject): string | undefined {
  const v = obj.metadata.annotations?.[ANNOTATION_OPERATION];
  return v === undefined || v === "" ? undefined : v;
}

/** The three values that request work from an extension (`wait-for-state` requests that nothing be done). */
export const WORK_REQUESTING_OPERATIONS: ReadonlySet<string> = new Set([
  Operation.Reconcile,
  Operation.Restore,
  Operation.Migrate,
]);

/** True if the annotation asks for reconcile, restore or migrate. */
export function requestsWork(obj: ExtensionObject): boolean {
  const op = operationAnnotation(obj);
  return op !== undefined && WORK_REQUESTING_OPERATIONS.has(op);
}

/**
 * Gardener's `ComputeOperationType`: Migrate > Delete > Restore > Create (until a Create succeeded) > the unfinished
 * Migrate/Restore > Reconcile.
 */
export function computeOperationType(obj: ExtensionObject): LastOperationType {
  const op = operationAnnotation(obj);
  const last = obj.status?.lastOperation;
  if (op === Operation.Migrate) return LastOperationType.Migrate;
  if (obj.metadata.deletionTimestamp) return LastOperationType.Delete;
  if (op === Operation.Restore) return LastOperationType.Restore;
  if (!last) return LastOperationType.Create;
  const succeeded = last.state === LastOperationState.Succeeded;
  if (last.type === LastOperationType.Create && !succeeded) return LastOperationType.Create;
  if (last.type === LastOperationType.Migrate && !succeeded) return LastOperationType.Migrate;
  if (last.type === LastOperationType.Restore && !succeeded) return LastOperationType.Restore;
  return LastOperationType.Reconcile;
}

/** True once a Migrate succeeded: the object belongs to another seed now. */
export function isMigrated(obj: ExtensionObject): boolean {
  const last = obj.status?.lastOperation;
  return last?.type === LastOperationType.Migrate && last.state === LastOperationState.Succeeded;
}

/** The skip rule: after a successful Migrate, only a new Migrate or a Restore may touch the object. */
export function shouldSkipAfterMigration(obj: ExtensionObject, op: LastOperationType): boolean {
  return isMigrated(obj) && op !== LastOperationType.Migrate && op !== LastOperationType.Restore;
}

/**
 * gardenlet's readiness rule 5: the request timestamp, truncated to seconds, must not be after
 * `lastOperation.lastUpdateTime`. True when there is no timestamp; false when a time cannot be parsed.
 */
export function timestampSatisfied(obj: ExtensionObject): boolean {
  const ts = obj.metadata.annotations?.[ANNOTATION_TIMESTAMP];
  if (ts === undefined || ts === "") return true;
  const requested = Date.parse(ts);
  const updated = Date.parse(obj.status?.lastOperation?.lastUpdateTime ?? "");
  if (Number.isNaN(requested) || Number.isNaN(updated)) return false;
  return Math.floor(requested / 1000) * 1000 <= updated;
}
