/**
 * Building Machine status values and deciding whether a status write is worth making. MCM suppresses writes of
 * "similar" statuses (descriptions more than 75 % alike), which can hide a changed error text for 30 minutes; we
 * compare descriptions exactly, so a write is skipped only when nothing but timestamps would change.
 */
import type {
  CurrentStatus,
  LastOperation,
  MachineOperationType,
  MachinePhase,
  MachineState,
  MachineStatus,
  NodeCondition,
} from "../../../apis/machine/v1alpha1.ts";

/** How long an unchanged lastOperation may stay untouched before it is rewritten anyway (MCM: 30 min). */
export const STATUS_REFRESH_MS = 30 * 60_000;

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Parses a metav1.Time; undefined when absent or invalid. */
export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** A lastOperation stamped with `now`. */
export function lastOperation(
  description: string,
  state: MachineState,
  type: MachineOperationType | string,
  now: number,
  errorCode?: string,
): LastOperation {
  const op: LastOperation = { description, state, type, lastUpdateTime: timestamp(now) };
  if (errorCode) op.errorCode = errorCode;
  return op;
}

/** A currentStatus stamped with `now`. */
export function currentStatus(phase: MachinePhase, now: number, timeoutActive?: boolean): CurrentStatus {
  const cs: CurrentStatus = { phase, lastUpdateTime: timestamp(now) };
  if (timeoutActive !== undefined) cs.timeoutActive = timeoutActive;
  return cs;
}

function sameLastOperation(a: LastOperation | undefined, b: LastOperation | undefined): boolean {
  return (a?.description ?? "") === (b?.description ?? "") &&
    (a?.errorCode ?? "") === (b?.errorCode ?? "") &&
    (a?.state ?? "") === (b?.state ?? "") &&
    (a?.type ?? "") === (b?.type ?? "");
}

function sameCurrentStatus(a: CurrentStatus | undefined, b: CurrentStatus | undefined): boolean {
  return (a?.phase ?? "") === (b?.phase ?? "") &&
    (a?.timeoutActive ?? false) === (b?.timeoutActive ?? false) &&
    (a?.preserveExpiryTime ?? "") === (b?.preserveExpiryTime ?? "");
}

/** MCM's comparison: different length, or a different status at the same position. */
export function nodeConditionsChanged(
  machine: NodeCondition[] | undefined,
  node: NodeCondition[] | undefined,
): boolean {
  const a = machine ?? [];
  const b = node ?? [];
  if (a.length !== b.length) return true;
  for (let i = 0; i < b.length; i++) if (a[i].status !== b[i].status || a[i].type !== b[i].type) return true;
  return false;
}

/**
 * True when writing `next` over `current` would change nothing but timestamps, and the current lastOperation is
 * younger than 30 minutes (older ones are refreshed so that a long-standing error shows it is still current).
 */
export function isStatusWriteRedundant(current: MachineStatus | undefined, next: MachineStatus, now: number): boolean {
  const last = parseTime(current?.lastOperation?.lastUpdateTime);
  if (last === undefined || now - last > STATUS_REFRESH_MS) return false;
  return sameLastOperation(current?.lastOperation, next.lastOperation) &&
    sameCurrentStatus(current?.currentStatus, next.currentStatus) &&
    (current?.lastKnownState ?? "") === (next.lastKnownState ?? "") &&
    // Conditions copied from the node are state too: a skipped write would leave them stale and keep the health
    // check from reaching its timeouts (MCM writes whenever they changed).
    !nodeConditionsChanged(current?.conditions, next.conditions);
}

/** A copy of `status` with lastOperation, currentStatus and lastKnownState replaced (MCM machineStatusUpdate). */
export function withOperation(
  status: MachineStatus | undefined,
  op: LastOperation,
  cs: CurrentStatus | undefined,
  lastKnownState: string | undefined,
): MachineStatus {
  const next: MachineStatus = { ...(status ?? {}), lastOperation: op };
  if (cs) next.currentStatus = cs;
  if (lastKnownState !== undefined && lastKnownState !== "") next.lastKnownState = lastKnownState;
  else delete next.lastKnownState;
  return next;
}
