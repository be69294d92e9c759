/**
 * Health-check conditions as Gardener's extensions health-check library computes them: check outcomes grouped by
 * condition type, the reason and message of each condition, `Progressing` held for the shortest per-check threshold,
 * and the timestamp rules (`lastTransitionTime` moves only when the status changes, `lastUpdateTime` only when reason,
 * message or codes change). Times come in as milliseconds. Pure.
 */
import { ConditionStatus } from "../../apis/core/v1beta1.ts";
import type { Condition } from "../../apis/extensions/v1alpha1.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";

/** The library's reasons (`ConditionCheckError` is Gardener core's). */
export const Reason = {
  Successful: "HealthCheckSuccessful",
  Unsuccessful: "HealthCheckUnsuccessful",
  Progressing: "HealthCheckProgressing",
  CheckError: "ConditionCheckError",
} as const;

/** Message of a condition whose checks all passed. */
export const ALL_SUCCESSFUL = "All health checks successful";
/** Message of every condition while the shoot is hibernated. */
export const SHOOT_HIBERNATED = "Shoot is hibernated";

/** What one check found: healthy, unhealthy, or progressing (which may turn unhealthy after its threshold). */
export interface CheckResult {
  status: typeof ConditionStatus.True | typeof ConditionStatus.False | typeof ConditionStatus.Progressing;
  detail?: string;
  codes?: readonly string[];
  /** How long a `Progressing` result may keep the condition `Progressing` before it turns `False`. */
  progressingThresholdMs?: number;
}

/** A check's outcome for its condition type: a result, or the error that kept it from running. */
export type CheckOutcome =
  | { conditionType: string; result: CheckResult }
  | { conditionType: string; error: string };

/** The status, reason, message and codes of one condition (no timestamps yet). */
export interface ConditionVerdict {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  codes?: string[];
}

function checks(n: number): string {
  return n > 1 ? "checks" : "check";
}

function withDot(text: string): string {
  return text.endsWith(".") ? text : `${text}.`;
}

/** One group of details: "<prefix>: " when other groups are present, then one text or a numbered list. */
function detailGroup(texts: readonly string[], prefix: string, othersPresent: boolean): string {
  if (texts.length === 0) return "";
  let out = othersPresent ? `${prefix} ${checks(texts.length)}: ` : "";
  if (texts.length === 1) return out + `${withDot(texts[0])} `;
  texts.forEach((t, i) => (out += `${i + 1}) ${withDot(t)} `));
  return out;
}

interface Grouped {
  failed: string[];
  unsuccessful: string[];
  progressing: { detail: string; thresholdMs?: number }[];
  successful: number;
  codes: string[];
}

/**
 * The conditions of the given types from the outcomes of their checks; `old` (the object's current conditions) and
 * `nowMs` decide whether a `Progressing` result is still within its threshold.
 */
export function conditionVerdicts(
  conditionTypes: readonly string[],
  outcomes: readonly CheckOutcome[],
  old: readonly Condition[],
  nowMs: number,
): ConditionVerdict[] {
  const groups = new Map<string, Grouped>();
  for (const o of outcomes) {
    let g = groups.get(o.conditionType);
    if (!g) {
      groups.set(o.conditionType, g = { failed: [], unsuccessful: [], progressing: [], successful: 0, codes: [] });
    }
    if ("error" in o) g.failed.push(o.error);
    else if (o.result.status === ConditionStatus.False) {
      g.unsuccessful.push(o.result.detail ?? "");
      g.codes.push(...(o.result.codes ?? []));
    } else if (o.result.status === ConditionStatus.Progressing) {
      g.progressing.push({ detail: o.result.detail ?? "", thresholdMs: o.result.progressingThresholdMs });
      g.codes.push(...(o.result.codes ?? []));
    } else g.successful++;
  }
  const out: ConditionVerdict[] = [];
  for (const type of conditionTypes) {
    const g = groups.get(type);
    if (!g) continue;
    out.push(verdictOf(type, g, old.find((c) => c.type === type), nowMs));
  }
  return out;
}

function verdictOf(type: string, g: Grouped, old: Condition | undefined, nowMs: number): ConditionVerdict {
  const codes = g.codes.length ? [...g.codes] : undefined;
  const progressingTexts = g.progressing.map((p) => p.detail);
  if (g.unsuccessful.length > 0 || g.failed.length > 0) {
    const details = (
      detailGroup(g.failed, "Unable to execute", g.unsuccessful.length > 0 || g.progressing.length > 0) +
      detailGroup(g.unsuccessful, "Failed", g.progressing.length > 0 || g.failed.length > 0) +
      detailGroup(progressingTexts, "Progressing", g.unsuccessful.length > 0 || g.failed.length > 0)
    ).replace(/ $/, "");
    if (g.failed.length > 0) {
      return {
        type,
        status: ConditionStatus.Unknown,
        reason: Reason.CheckError,
        message: `failed to execute ${g.failed.length} health ${checks(g.failed.length)}: ${details}`,
      };
    }
    const message = g.progressing.length > 0
      ? `${g.unsuccessful.length} failing and ${g.progressing.length} progressing ${
        checks(g.progressing.length)
      }: ${details}`
      : details;
    return { type, status: ConditionStatus.False, reason: Reason.Unsuccessful, message, ...(codes ? { codes } : {}) };
  }
  if (g.progressing.length > 0) {
    const details = detailGroup(progressingTexts, "Progressing", false).replace(/ $/, "");
    const thresholds = g.progressing.map((p) => p.thresholdMs).filter((t): t is number => t !== undefined);
    const threshold = thresholds.length ? Math.min(...thresholds) : undefined;
    const progressing = threshold !== undefined && stillProgressing(old, threshold, nowMs);
    return {
      type,
      status: progressing ? ConditionStatus.Progressing : ConditionStatus.False,
      reason: progressing ? Reason.Progressing : Reason.Unsuccessful,
      message: details,
      ...(codes ? { codes } : {}),
    };
  }
  return { type, status: ConditionStatus.True, reason: Reason.Successful, message: ALL_SUCCESSFUL };
}

/**
 * The library's rule: a progressing result keeps (or makes) the condition `Progressing` when there was none, when it
 * was `True`, or when it has been non-`False` for no longer than the threshold; once `False` it stays `False`.
 */
export function stillProgressing(old: Condition | undefined, thresholdMs: number, nowMs: number): boolean {
  if (!old) return true;
  if (old.status === ConditionStatus.False) return false;
  if (old.status === ConditionStatus.True) return true;
  const since = Date.parse(old.lastTransitionTime);
  return Number.isNaN(since) || nowMs - since <= thresholdMs;
}

/** Every condition type `True` with "Shoot is hibernated". */
export function hibernatedVerdicts(conditionTypes: readonly string[]): ConditionVerdict[] {
  return conditionTypes.map((type) => ({
    type,
    status: ConditionStatus.True,
    reason: Reason.Successful,
    message: SHOOT_HIBERNATED,
  }));
}

/** Every condition type `Unknown` because no check could run at all. */
export function notExecutedVerdicts(conditionTypes: readonly string[], error: string): ConditionVerdict[] {
  return conditionTypes.map((type) => ({
    type,
    status: ConditionStatus.Unknown,
    reason: Reason.CheckError,
    message: `unable to execute any health check: ${error}`,
  }));
}

/** A metav1.Time: RFC 3339 in whole seconds, UTC. */
export function conditionTime(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The condition for a verdict given the one it replaces: `lastTransitionTime` is kept unless the status changes,
 * `lastUpdateTime` unless reason, message or codes change.
 */
export function buildCondition(verdict: ConditionVerdict, old: Condition | undefined, nowMs: number): Condition {
  const now = conditionTime(nowMs);
  const codes = verdict.codes?.length ? [...verdict.codes] : undefined;
  const statusChanged = !old || old.status !== verdict.status;
  const updated = !old || old.reason !== verdict.reason || old.message !== verdict.message ||
    !jsonEqual(old.codes ?? [], codes ?? []);
  const out: Condition = {
    type: verdict.type,
    status: verdict.status,
    lastTransitionTime: statusChanged ? now : old.lastTransitionTime,
    lastUpdateTime: updated ? now : old.lastUpdateTime,
    reason: verdict.reason,
    message: verdict.message,
  };
  if (codes) out.codes = codes;
  return out;
}

/**
 * The object's conditions after the verdicts: conditions of the verdicts' types replaced in place (new ones
 * appended), the types in `remove` dropped, every other condition kept as it is.
 */
export function mergeConditions(
  current: readonly Condition[],
  verdicts: readonly ConditionVerdict[],
  remove: readonly string[],
  nowMs: number,
): Condition[] {
  const built = new Map(
    verdicts.map((v) => [v.type, buildCondition(v, current.find((c) => c.type === v.type), nowMs)]),
  );
  const out: Condition[] = [];
  for (const c of current) {
    if (remove.includes(c.type) && !built.has(c.type)) continue;
    const replacement = built.get(c.type);
    out.push(replacement ?? c);
    built.delete(c.type);
  }
  out.push(...built.values());
  return out;
}
