/**
 * The status the generic reconciler writes at each step as merge patches of `status`, and
 * the comparisons that let a reconcile skip writes that would change nothing; time comes in as milliseconds. Pure.
 *
 * Patches never carry `conditions` (the health checks own them, and a merge patch replaces whole arrays).
 */
import { applyMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import { LastOperationState, LastOperationType } from "../../apis/core/v1beta1.ts";
import { redact } from "../../observability/redact.ts";
import type { ExtensionObject } from "./extension_object.ts";
import { computeOperationType, operationAnnotation, timestampSatisfied } from "./operation.ts";
import { hasFinalizer } from "../../k8s/api/objects.ts";

/** A merge patch of `status` (values `null` delete a field). */
export type StatusPatch = Record<string, unknown>;

/** Fields only the generic reconciler (or the health checks, for conditions) may write. */
export const RESERVED_STATUS_FIELDS: readonly string[] = [
  "lastOperation",
  "lastError",
  "observedGeneration",
  "conditions",
];

/** gardenlet shows lastError descriptions in the dashboard; very long texts are cut here. */
export const MAX_ERROR_DESCRIPTION = 4096;

/** What is happening, for lastOperation/lastError texts and events. */
export type Phase = "reconcile" | "delete" | "forceDelete" | "migrate" | "restore";

/** The three texts of one phase for a kind noun (e.g. "infrastructure"). */
export interface PhaseTexts {
  start: string;
  error: string;
  success: string;
}

/** The Go library's wording ("Reconciling the infrastructure" / "Error reconciling infrastructure" / ...). */
export function phaseTexts(phase: Phase, noun: string): PhaseTexts {
  switch (phase) {
    case "reconcile":
      return {
        start: `Reconciling the ${noun}`,
        error: `Error reconciling ${noun}`,
        success: `Successfully reconciled ${noun}`,
      };
    case "delete":
      return {
        start: `Deleting the ${noun}`,
        error: `Error deleting ${noun}`,
        success: `Successfully deleted ${noun}`,
      };
    case "forceDelete":
      return {
        start: `Force-deleting the ${noun}`,
        error: `Error force-deleting ${noun}`,
        success: `Successfully force-deleted ${noun}`,
      };
    case "migrate":
      return {
        start: `Migrating the ${noun}`,
        error: `Error migrating ${noun}`,
        success: `Successfully migrated ${noun}`,
      };
    case "restore":
      return {
        start: `Restoring the ${noun}`,
        error: `Error restoring ${noun}`,
        success: `Successfully restored ${noun}`,
      };
  }
}

/**
 * RFC 3339 UTC with milliseconds: exactly "now", never earlier, so gardenlet's check "request timestamp truncated to
 * seconds ≤ lastUpdateTime" holds for every request made before the write.
 */
export function statusTime(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** Start of an operation: Processing, progress 1. observedGeneration is left alone (as Gardener does). */
export function processingPatch(
  type: LastOperationType,
  description: string,
  nowMs: number,
  progress = 1,
): StatusPatch {
  return {
    lastOperation: {
      type,
      state: LastOperationState.Processing,
      progress,
      description,
      lastUpdateTime: statusTime(nowMs),
    },
  };
}

/** `"<context>: <error>"` with the first letter capitalised, secrets redacted, cut to a sane length. */
export function errorDescription(context: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = redact(`${context}: ${message}`);
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return capitalised.length <= MAX_ERROR_DESCRIPTION
    ? capitalised
    : capitalised.slice(0, MAX_ERROR_DESCRIPTION - 3) + "...";
}

/** A failed operation: Error, progress 50, lastError with codes, observedGeneration. */
export function errorPatch(
  type: LastOperationType,
  description: string,
  codes: readonly string[],
  nowMs: number,
  generation: number | undefined,
): StatusPatch {
  const at = statusTime(nowMs);
  return {
    lastOperation: { type, state: LastOperationState.Error, progress: 50, description, lastUpdateTime: at },
    // codes: null clears the codes of an earlier error (a merge patch keeps absent fields).
    lastError: { description, codes: codes.length ? [...codes] : null, lastUpdateTime: at },
    observedGeneration: generation ?? 0,
  };
}

/** A finished operation: Succeeded, progress 100, `lastError: null`, observedGeneration, plus the actuator's fields. */
export function successPatch(
  type: LastOperationType,
  description: string,
  nowMs: number,
  generation: number | undefined,
  extra: StatusPatch = {},
): StatusPatch {
  return {
    ...extra,
    lastOperation: {
      type,
      state: LastOperationState.Succeeded,
      progress: 100,
      description,
      lastUpdateTime: statusTime(nowMs),
    },
    lastError: null,
    observedGeneration: generation ?? 0,
  };
}

/** The status after a merge patch. */
export function patchedStatus(status: unknown, patch: StatusPatch): Record<string, unknown> {
  return applyMergePatch(status ?? {}, patch) as Record<string, unknown>;
}

/** True if applying `patch` changes the status. */
export function changesStatus(status: unknown, patch: StatusPatch): boolean {
  return !jsonEqual(patchedStatus(status, patch), status ?? {});
}

/** True if the patch changes anything besides lastOperation (whose texts and time change on every write). */
export function changesMoreThanLastOperation(status: unknown, patch: StatusPatch): boolean {
  const { lastOperation: _a, ...before } = (status ?? {}) as Record<string, unknown>;
  const { lastOperation: _b, ...rest } = patch;
  return changesStatus(before, rest);
}

/** Throws if an actuator's status patch touches a field the generic reconciler owns. */
export function checkActuatorStatusPatch(patch: StatusPatch, source: string): void {
  const bad = Object.keys(patch).filter((k) => RESERVED_STATUS_FIELDS.includes(k));
  if (bad.length) {
    throw new Error(`${source}: the actuator may not write status.${bad.join(", status.")} (owned by the reconciler)`);
  }
}

/**
 * True if the object needs no announcement: nothing requested, the last operation succeeded for this generation
 * without error, the finalizer is in place and gardenlet's timestamp is already satisfied. A reconcile of such an
 * object writes nothing unless the actuator changes something.
 */
export function isUpToDate(obj: ExtensionObject, finalizer: string): boolean {
  const s = obj.status;
  return operationAnnotation(obj) === undefined &&
    !obj.metadata.deletionTimestamp &&
    hasFinalizer(obj, finalizer) &&
    s?.lastOperation?.state === LastOperationState.Succeeded &&
    s.lastError == null &&
    s.observedGeneration === obj.metadata.generation &&
    computeOperationType(obj) === LastOperationType.Reconcile &&
    timestampSatisfied(obj);
}
