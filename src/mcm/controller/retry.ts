/**
 * MCM's requeue periods and how a driver error code picks one. Reconcilers return a `Result` that requeues after one
 * of these periods instead of throwing, as MCM re-adds every key with AddAfter(retryPeriod).
 */
import { type MachineCode, MachineError } from "../driver/driver.ts";
import type { Result } from "../../k8s/controller/controller.ts";

/** After an optimistic-concurrency conflict. */
export const CONFLICT_RETRY_MS = 200;
/** After progress or a transient error. */
export const SHORT_RETRY_MS = 5_000;
/** After a permanent-looking error. */
export const MEDIUM_RETRY_MS = 3 * 60_000;
/** Periodic reconcile of settled objects. */
export const LONG_RETRY_MS = 10 * 60_000;
/** Re-check period of Pending/Unknown machines for their timeouts. */
export const TIMEOUT_RECHECK_MS = 60_000;

/** Codes MCM treats as transient. */
const TRANSIENT: ReadonlySet<MachineCode> = new Set(["Unknown", "DeadlineExceeded", "Aborted", "Unavailable"]);

/** True for Unknown, DeadlineExceeded, Aborted and Unavailable. */
export function isTransientCode(code: MachineCode): boolean {
  return TRANSIENT.has(code);
}

/**
 * Decodes a driver error as MCM's `status.FromError` does: a MachineError keeps its code; anything else is
 * "undecodable" (MCM's ok=false), which several call sites treat differently from code Unknown.
 */
export function decodeMachineError(err: unknown): { code: MachineCode; decodable: boolean; text: string } {
  if (err instanceof MachineError) return { code: err.code, decodable: true, text: err.toString() };
  const text = err instanceof Error ? err.message : String(err);
  return { code: "Unknown", decodable: false, text };
}

/** Requeue period after a failed CreateMachine (MCM HEAD machineCreateErrorHandler). */
export function createErrorRetryMs(code: MachineCode, resourceExhaustedRetryMs: number): number {
  if (code === "ResourceExhausted") return resourceExhaustedRetryMs > 0 ? resourceExhaustedRetryMs : LONG_RETRY_MS;
  return isTransientCode(code) ? SHORT_RETRY_MS : MEDIUM_RETRY_MS;
}

/** The Result that reconciles the key again after `ms` (none for 0). */
export function requeueAfter(ms: number): Result {
  return ms > 0 ? { requeueAfterMs: ms } : {};
}
