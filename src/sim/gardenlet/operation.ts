/**
 * SIMULATION of gardenlet: the annotations gardenlet writes on extension objects to request work or to confirm a
 * deletion. Pure.
 */
import {
  ANNOTATION_CONFIRM_DELETION,
  ANNOTATION_OPERATION,
  ANNOTATION_TIMESTAMP,
  Operation,
} from "../../apis/extensions/constants.ts";

/** Go's RFC3339Nano of a millisecond instant in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-21T00:00:00.120Z
  return iso.replace(/\.(\d{3})Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, "");
    return trimmed ? `.${trimmed}Z` : "Z";
  });
}

/** The annotations of a reconcile request at `now`: operation `reconcile` and a fresh timestamp. */
export function reconcileRequest(now: number): Record<string, string> {
  return { [ANNOTATION_OPERATION]: Operation.Reconcile, [ANNOTATION_TIMESTAMP]: rfc3339Nano(now) };
}

/** The annotation gardenlet sets before it deletes an extension object. */
export function deletionConfirmation(): Record<string, string> {
  return { [ANNOTATION_CONFIRM_DELETION]: "true" };
}
