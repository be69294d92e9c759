/**
 * The library's condition rules: reasons and messages per outcome, `Progressing` held for the shortest threshold and
 * then `False`, `lastTransitionTime` only on a status change, `lastUpdateTime` only on a reason/message/codes change,
 * and the merge that keeps every other condition.
 */
import assert from "node:assert/strict";
import {
  ALL_SUCCESSFUL,
  buildCondition,
  type CheckOutcome,
  conditionVerdicts,
  hibernatedVerdicts,
  mergeConditions,
} from "../../../src/extension/generichealthcheck/mod.ts";
import type { Condition } from "../../../src/apis/extensions/v1alpha1.ts";

const T = "EveryNodeReady";
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const ok = (type = T): CheckOutcome => ({ conditionType: type, result: { status: "True" } });
const bad = (detail: string, codes?: string[]): CheckOutcome => ({
  conditionType: T,
  result: { status: "False", detail, codes },
});
const progressing = (detail: string, thresholdMs?: number): CheckOutcome => ({
  conditionType: T,
  result: { status: "Progressing", detail, progressingThresholdMs: thresholdMs },
});
const failed = (error: string): CheckOutcome => ({ conditionType: T, error });
const condition = (status: string, lastTransitionMs: number, extra: Partial<Condition> = {}): Condition => ({
  type: T,
  status,
  lastTransitionTime: at(lastTransitionMs),
  lastUpdateTime: at(lastTransitionMs),
  reason: "x",
  message: "y",
  ...extra,
});

Deno.test("healthcheck conditions: all checks pass → True, HealthCheckSuccessful, the library's message", () => {
  assert.deepEqual(conditionVerdicts([T], [ok(), ok()], [], NOW), [
    { type: T, status: "True", reason: "HealthCheckSuccessful", message: ALL_SUCCESSFUL },
  ]);
});

Deno.test("healthcheck conditions: unhealthy → False with the detail (dot added) and codes; several are numbered", () => {
  assert.deepEqual(conditionVerdicts([T], [ok(), bad('machine "m" failed: gone', ["ERR_X"])], [], NOW), [
    {
      type: T,
      status: "False",
      reason: "HealthCheckUnsuccessful",
      message: 'machine "m" failed: gone.',
      codes: ["ERR_X"],
    },
  ]);
  const [v] = conditionVerdicts([T], [bad("a"), bad("b.")], [], NOW);
  assert.equal(v.message, "1) a. 2) b.");
  const [mixed] = conditionVerdicts([T], [bad("a"), progressing("p", 60_000)], [], NOW);
  assert.equal(mixed.status, "False");
  assert.equal(mixed.message, "1 failing and 1 progressing check: Failed check: a. Progressing check: p.");
});

Deno.test("healthcheck conditions: a check that cannot run → Unknown, ConditionCheckError", () => {
  assert.deepEqual(conditionVerdicts([T], [failed("shoot unreachable"), ok()], [], NOW), [
    {
      type: T,
      status: "Unknown",
      reason: "ConditionCheckError",
      message: "failed to execute 1 health check: shoot unreachable.",
    },
  ]);
  const [v] = conditionVerdicts([T], [failed("e1"), bad("b")], [], NOW);
  assert.equal(v.message, "failed to execute 1 health check: Unable to execute check: e1. Failed check: b.");
});

Deno.test("healthcheck conditions: Progressing within the threshold, False after it, and False stays False", () => {
  const p = [progressing("2 machines are provisioning and should join the cluster soon", 5 * 60_000)];
  // No condition yet, or a True one: Progressing.
  assert.equal(conditionVerdicts([T], p, [], NOW)[0].status, "Progressing");
  assert.equal(conditionVerdicts([T], p, [condition("True", NOW - 3600_000)], NOW)[0].status, "Progressing");
  const v = conditionVerdicts([T], p, [condition("Progressing", NOW - 5 * 60_000)], NOW)[0];
  assert.deepEqual(
    [v.status, v.reason, v.message],
    ["Progressing", "HealthCheckProgressing", "2 machines are provisioning and should join the cluster soon."],
  );
  // Past the threshold since it started progressing: False.
  const late = conditionVerdicts([T], p, [condition("Progressing", NOW - 5 * 60_000 - 1000)], NOW)[0];
  assert.deepEqual([late.status, late.reason], ["False", "HealthCheckUnsuccessful"]);
  assert.equal(conditionVerdicts([T], p, [condition("False", NOW)], NOW)[0].status, "False");
  // The shortest threshold of several progressing checks counts; none at all means False at once.
  const two = [progressing("a", 15 * 60_000), progressing("b", 60_000)];
  assert.equal(conditionVerdicts([T], two, [condition("Progressing", NOW - 120_000)], NOW)[0].status, "False");
  assert.equal(conditionVerdicts([T], [progressing("a")], [], NOW)[0].status, "False");
});

Deno.test("healthcheck conditions: hibernated → True 'Shoot is hibernated' for every type", () => {
  assert.deepEqual(hibernatedVerdicts([T, "ControlPlaneHealthy"]).map((v) => [v.type, v.status, v.reason, v.message]), [
    [T, "True", "HealthCheckSuccessful", "Shoot is hibernated"],
    ["ControlPlaneHealthy", "True", "HealthCheckSuccessful", "Shoot is hibernated"],
  ]);
});

Deno.test("healthcheck conditions: lastTransitionTime moves only on a status change, lastUpdateTime only on reason/message/codes", () => {
  const first = buildCondition(
    { type: T, status: "False", reason: "HealthCheckUnsuccessful", message: "m1" },
    undefined,
    NOW,
  );
  assert.equal(first.lastTransitionTime, at(NOW));
  assert.equal(first.lastUpdateTime, at(NOW));
  // Same verdict later: nothing moves (and nothing would be written).
  const same = buildCondition(
    { type: T, status: "False", reason: "HealthCheckUnsuccessful", message: "m1" },
    first,
    NOW + 60_000,
  );
  assert.deepEqual(same, first);
  // New message, same status: only lastUpdateTime.
  const msg = buildCondition(
    { type: T, status: "False", reason: "HealthCheckUnsuccessful", message: "m2" },
    first,
    NOW + 60_000,
  );
  assert.equal(msg.lastTransitionTime, at(NOW));
  assert.equal(msg.lastUpdateTime, at(NOW + 60_000));
  // New codes: lastUpdateTime.
  const codes = buildCondition(
    { type: T, status: "False", reason: "HealthCheckUnsuccessful", message: "m2", codes: ["ERR_A"] },
    msg,
    NOW + 120_000,
  );
  assert.deepEqual([codes.lastTransitionTime, codes.lastUpdateTime, codes.codes], [at(NOW), at(NOW + 120_000), [
    "ERR_A",
  ]]);
  // Status change: both.
  const healed = buildCondition(
    { type: T, status: "True", reason: "HealthCheckSuccessful", message: ALL_SUCCESSFUL },
    codes,
    NOW + 180_000,
  );
  assert.deepEqual([healed.lastTransitionTime, healed.lastUpdateTime, healed.codes], [
    at(NOW + 180_000),
    at(NOW + 180_000),
    undefined,
  ]);
});

Deno.test("healthcheck conditions: merge replaces its types in place, removes stale ones, keeps all others", () => {
  const other = { ...condition("True", NOW - 1000), type: "SomeoneElses" };
  const stale = { ...condition("True", NOW - 1000), type: "ControlPlaneHealthy" };
  const mine = condition("False", NOW - 1000);
  const merged = mergeConditions(
    [other, stale, mine],
    [{ type: T, status: "True", reason: "HealthCheckSuccessful", message: ALL_SUCCESSFUL }],
    ["ControlPlaneHealthy"],
    NOW,
  );
  assert.deepEqual(merged.map((c) => [c.type, c.status]), [["SomeoneElses", "True"], [T, "True"]]);
  assert.equal(merged[0], other);
});
