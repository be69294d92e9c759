import assert from "node:assert/strict";
import {
  currentStatus,
  isStatusWriteRedundant,
  lastOperation,
  timestamp,
} from "../../../../src/mcm/controller/machine/status.ts";
import { MIN, NOW } from "../fixtures.ts";

const base = (desc: string, at = NOW - MIN) => ({
  lastOperation: { ...lastOperation(desc, "Failed", "Create", at, "Unavailable") },
  currentStatus: currentStatus("CrashLoopBackOff", at),
});

Deno.test("status write skipped when only timestamps differ", () => {
  const cur = base("Cloud provider message - 503");
  const next = base("Cloud provider message - 503", NOW);
  assert.equal(isStatusWriteRedundant(cur, next, NOW), true);
});

Deno.test("status write happens when only the node conditions copied into it changed", () => {
  const cur = { ...base("Machine is running"), conditions: [{ type: "Ready", status: "True" }] };
  const next = { ...base("Machine is running", NOW), conditions: [{ type: "Ready", status: "False" }] };
  assert.equal(isStatusWriteRedundant(cur, next, NOW), false);
  assert.equal(isStatusWriteRedundant(cur, { ...next, conditions: cur.conditions }, NOW), true);
});

Deno.test("status write never hides a changed error text (MCM's 75 % similarity quirk fixed)", () => {
  const cur = base("Cloud provider message - request abc123 failed: 503");
  const next = base("Cloud provider message - request abc124 failed: 503", NOW);
  assert.equal(isStatusWriteRedundant(cur, next, NOW), false);
});

Deno.test("status write happens when phase, state, code or lastKnownState change", () => {
  const cur = base("x");
  assert.equal(isStatusWriteRedundant(cur, { ...cur, currentStatus: currentStatus("Failed", NOW) }, NOW), false);
  assert.equal(
    isStatusWriteRedundant(cur, { ...cur, lastOperation: { ...cur.lastOperation, errorCode: "Internal" } }, NOW),
    false,
  );
  assert.equal(isStatusWriteRedundant(cur, { ...cur, lastKnownState: "s" }, NOW), false);
});

Deno.test("an unchanged status older than 30 minutes is refreshed", () => {
  const cur = base("x", NOW - 31 * MIN);
  assert.equal(isStatusWriteRedundant(cur, base("x", NOW), NOW), false);
  assert.equal(isStatusWriteRedundant(undefined, base("x", NOW), NOW), false);
});

Deno.test("timestamps have second precision like metav1.Time", () => {
  assert.equal(timestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "2026-01-02T03:04:05Z");
});
