import assert from "node:assert/strict";
import { backoffDelay } from "../../src/runtime/backoff.ts";

const policy = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 };

Deno.test("backoff grows exponentially and is capped", () => {
  const mid = () => 0.5; // no jitter effect
  assert.deepEqual([0, 1, 2, 3].map((a) => backoffDelay(policy, a, mid)), [100, 200, 400, 800]);
  assert.equal(backoffDelay(policy, 20, mid), 5000);
});

Deno.test("jitter stays within the configured fraction and never exceeds the cap", () => {
  assert.equal(backoffDelay(policy, 1, () => 0), 160);
  assert.equal(backoffDelay(policy, 1, () => 1), 240);
  assert.equal(backoffDelay(policy, 30, () => 1), 5000);
});
