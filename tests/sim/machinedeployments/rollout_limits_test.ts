/** maxSurge/maxUnavailable as machine counts: percentages rounded like Kubernetes and MCM. */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  maxSurge,
  maxUnavailable,
  resolveFenceposts,
  resolveIntOrPercent,
} from "../../../src/sim/machinedeployments/rollout_limits.ts";
import { rollingDeployment } from "./fixtures.ts";

Deno.test("percentages: surge rounds up, unavailability rounds down", () => {
  assertEquals(resolveFenceposts("25%", "25%", 10), { surge: 3, unavailable: 2 });
  assertEquals(resolveFenceposts("30%", "30%", 3), { surge: 1, unavailable: 0 });
  assertEquals(resolveFenceposts("100%", "0%", 5), { surge: 5, unavailable: 0 });
  assertEquals(resolveFenceposts(2, 1, 10), { surge: 2, unavailable: 1 });
});

Deno.test("both zero: one machine may be unavailable, otherwise the rollout could not start", () => {
  assertEquals(resolveFenceposts(0, 0, 3), { surge: 0, unavailable: 1 });
  assertEquals(resolveFenceposts("1%", "1%", 2), { surge: 1, unavailable: 0 });
  assertEquals(resolveFenceposts("0%", "1%", 2), { surge: 0, unavailable: 1 });
  assertEquals(resolveFenceposts(undefined, undefined, 4), { surge: 0, unavailable: 1 });
});

Deno.test("maxUnavailable is capped at replicas and 0 without replicas; non-rolling strategies have none", () => {
  assertEquals(maxUnavailable(rollingDeployment(2, 0, 5)), 2);
  assertEquals(maxUnavailable(rollingDeployment(0, 1, 1)), 0);
  assertEquals(maxSurge(rollingDeployment(4, "50%", 0)), 2);
  const recreate = rollingDeployment(4, 2, 2);
  recreate.spec.strategy = { type: "Recreate" };
  assertEquals([maxSurge(recreate), maxUnavailable(recreate)], [0, 0]);
});

Deno.test("malformed values name the field", () => {
  throws(
    () => resolveIntOrPercent("1", 10, true, "spec.x"),
    /spec\.x: invalid value "1": must be an integer or a percentage/,
  );
  throws(() => resolveIntOrPercent("25 %", 10, true, "spec.x"), /spec\.x/);
  throws(() => resolveIntOrPercent(-1, 10, true, "spec.x"), /spec\.x: must be a non-negative integer/);
  throws(() => resolveFenceposts(1, "x%", 10), /spec\.strategy\.rollingUpdate\.maxUnavailable/);
});
