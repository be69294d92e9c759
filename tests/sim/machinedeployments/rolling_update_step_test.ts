/** The rolling-update decisions, run to completion in memory, and the scaling-event and Recreate decisions. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { MachineSet } from "../../../src/apis/machine/v1alpha1.ts";
import { resolveFenceposts } from "../../../src/sim/machinedeployments/rollout_limits.ts";
import { newSetTarget, rollingUpdateStep } from "../../../src/sim/machinedeployments/rolling_update.ts";
import {
  activeOrLatest,
  isScalingEvent,
  scalingEventSteps,
} from "../../../src/sim/machinedeployments/proportional_scaling.ts";
import { oldMachinesRunning, recreateScaleDownSteps } from "../../../src/sim/machinedeployments/recreate_update.ts";
import { machineSet, rollingDeployment } from "./fixtures.ts";

function withSpec(s: MachineSet, replicas: number, available: number): MachineSet {
  return {
    ...s,
    spec: { ...s.spec, replicas },
    status: { ...s.status, replicas, availableReplicas: available, readyReplicas: available },
  };
}

/**
 * Runs a rollout from `replicas` old machines: machines appear and disappear at once, a new machine becomes available
 * `lag` steps after its creation. Returns the step count; throws on any limit violation.
 */
function simulate(replicas: number, surge: number | string, unavailable: number | string, lag: number): number {
  const md = rollingDeployment(replicas, surge, unavailable);
  const limits = resolveFenceposts(surge, unavailable, replicas);
  let old = machineSet("old", replicas, replicas, { created: 0 });
  let fresh = machineSet("new", 0, 0, { created: 1, className: "c2" });
  const createdAt: number[] = []; // step at which each new machine was created
  for (let step = 1; step < 200; step++) {
    const ready = createdAt.filter((t) => step - t >= lag).length;
    fresh = withSpec(fresh, fresh.spec!.replicas!, Math.min(ready, fresh.spec!.replicas!));
    const steps = rollingUpdateStep(md, fresh, [old]);
    if (steps.length === 0) {
      if (old.spec!.replicas === 0 && fresh.status!.availableReplicas === replicas) return step;
      continue; // waiting for new machines to become available
    }
    for (const s of steps) {
      if (s.set === fresh) {
        for (let i = fresh.spec!.replicas!; i < s.replicas; i++) createdAt.push(step);
        createdAt.splice(s.replicas); // scaling the new set down removes its newest machines
        fresh = withSpec(fresh, s.replicas, Math.min(fresh.status!.availableReplicas!, s.replicas));
      } else {
        old = withSpec(old, s.replicas, s.replicas);
      }
    }
    const total = old.spec!.replicas! + fresh.spec!.replicas!;
    const available = old.status!.availableReplicas! + fresh.status!.availableReplicas!;
    if (total > replicas + limits.surge) {
      throw new Error(`step ${step}: ${total} machines > ${replicas}+${limits.surge}`);
    }
    if (available < replicas - limits.unavailable) {
      throw new Error(`step ${step}: ${available} available < ${replicas}-${limits.unavailable}`);
    }
  }
  throw new Error("rollout did not finish");
}

Deno.test("rollouts stay within maxSurge/maxUnavailable at every step and finish", () => {
  const cases: Array<[number, number | string, number | string]> = [
    [3, 1, 0],
    [3, 0, 1],
    [1, 1, 0],
    [1, 0, 0],
    [5, 2, 2],
    [10, "25%", "25%"],
    [10, "10%", 0],
    [7, "50%", "50%"],
    [4, 0, "50%"],
    [100, "25%", 0],
  ];
  for (const [replicas, surge, unavailable] of cases) {
    for (const lag of [0, 1, 3]) {
      const steps = simulate(replicas, surge, unavailable, lag);
      ok(steps > 0, `${replicas} ${surge} ${unavailable} lag ${lag}`);
    }
  }
});

Deno.test("the new set grows only as far as replicas + maxSurge allow", () => {
  const md = rollingDeployment(4, 1, 0);
  const old = machineSet("old", 4, 4);
  const fresh = machineSet("new", 0, 0, { created: 1 });
  assertEquals(newSetTarget(md, [old, fresh], fresh), 1);
  assertEquals(rollingUpdateStep(md, fresh, [old]).map((s) => [s.set.metadata.name, s.replicas]), [["new", 1]]);
  // Room used up, new machine not available yet: nothing to do.
  const grown = machineSet("new", 1, 0, { created: 1 });
  assertEquals(rollingUpdateStep(md, grown, [old]), []);
  // Now available: one old machine goes.
  const up = machineSet("new", 1, 1, { created: 1 });
  assertEquals(rollingUpdateStep(md, up, [old]).map((s) => [s.set.metadata.name, s.replicas]), [["old", 3]]);
  // A new set above the desired size is scaled down.
  assertEquals(rollingUpdateStep(md, machineSet("new", 6, 6), [machineSet("old", 0, 0)])[0].replicas, 4);
});

Deno.test("unavailable old machines are removed first, even with maxUnavailable 0", () => {
  const md = rollingDeployment(3, 1, 0);
  const old = machineSet("old", 3, 1, { created: 0 }); // two old machines are down
  const fresh = machineSet("new", 1, 1, { created: 1 });
  // maxScaledDown = 4 − 3 − 0 = 1: one unhealthy old machine goes, availability untouched.
  assertEquals(rollingUpdateStep(md, fresh, [old]).map((s) => [s.set.metadata.name, s.replicas]), [["old", 2]]);
});

Deno.test("scaling events: detection, the only active set takes everything, proportional spread mid-rollout", () => {
  const md = rollingDeployment(6, 3, 0);
  const annotated = (r: number, max: number) => ({
    "deployment.kubernetes.io/desired-replicas": String(r),
    "deployment.kubernetes.io/max-replicas": String(max),
  });
  const single = machineSet("only", 3, 3, { annotations: annotated(3, 4) });
  ok(isScalingEvent(md, [single]));
  ok(!isScalingEvent(rollingDeployment(3, 1, 0), [single]));
  assertEquals(scalingEventSteps(md, single, []).map((s) => [s.set.metadata.name, s.replicas]), [["only", 6]]);
  assertEquals(
    activeOrLatest(undefined, [machineSet("a", 0, 0, { created: 1 }), machineSet("b", 0, 0, { created: 2 })])?.metadata
      .name,
    "b",
  );

  // Mid-rollout (3 old + 1 new of 3 with surge 1 = 4), scaled to 6 with surge 3 (max 9): 5 more, spread 3:1.
  const old = machineSet("old", 3, 3, { created: 0, annotations: annotated(3, 4) });
  const fresh = machineSet("new", 1, 0, { created: 1, annotations: annotated(3, 4) });
  const steps = scalingEventSteps(md, fresh, [old]).map((s) => [s.set.metadata.name, s.replicas]);
  assertEquals(steps, [["old", 7], ["new", 2]]);
  assertEquals(steps.reduce((n, [, r]) => n + (r as number), 0), 9);
  // Scaling down to 0 empties every active set.
  const zero = rollingDeployment(0, 1, 0);
  assertEquals(scalingEventSteps(zero, fresh, [old]).map((s) => s.replicas), [0, 0]);
});

Deno.test("Recreate: old sets to 0 first, and wait while any old machine exists", () => {
  const old = [machineSet("a", 2, 2), machineSet("b", 0, 0)];
  assertEquals(recreateScaleDownSteps(old).map((s) => [s.set.metadata.name, s.replicas]), [["a", 0]]);
  ok(oldMachinesRunning([machineSet("a", 0, 0, { statusReplicas: 1 })], () => 0), "status still reports one");
  ok(oldMachinesRunning([machineSet("a", 0, 0, { statusReplicas: 0 })], () => 1), "a machine still exists");
  ok(!oldMachinesRunning([machineSet("a", 0, 0, { statusReplicas: 0 })], () => 0));
});
