import assert from "node:assert/strict";
import { metav1Time, parseTime } from "../../../src/sim/kernel/mod.ts";

Deno.test("metav1Time: RFC 3339 in UTC, milliseconds cut (not rounded); parseTime reads it back, undefined for junk", () => {
  assert.equal(metav1Time(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "2026-01-02T03:04:05Z");
  assert.equal(parseTime("2026-01-02T03:04:05Z"), Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(parseTime("yesterday"), undefined);
  assert.equal(parseTime(undefined), undefined);
});
