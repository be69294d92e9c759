import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  computeBudgetStatus,
  decideEviction,
  EVICTION_REFUSED_MESSAGE,
  MULTIPLE_PDBS_MESSAGE,
} from "../../../src/sim/apiserver/eviction.ts";

const NS = "kube-system";

function pod(
  name: string,
  opts: { ready?: boolean; phase?: string; labels?: Record<string, string>; deleting?: boolean } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: NS,
      labels: opts.labels ?? { app: "web" },
      ...(opts.deleting ? { deletionTimestamp: "2026-06-30T12:00:00Z" } : {}),
    },
    status: {
      phase: opts.phase ?? "Running",
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  } as KubeObject;
}

function pdb(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: { app: "web" } }, ...spec },
  } as KubeObject;
}

const pods = (n: number, unready = 0) => Array.from({ length: n }, (_, i) => pod(`web-${i}`, { ready: i >= unready }));

Deno.test("eviction: pods without a matching budget may be evicted", () => {
  const p = pod("other", { labels: { app: "db" } });
  assertEquals(decideEviction(p, [pdb("web", { minAvailable: 3 })], [p, ...pods(3)]), { allowed: true });
  assertEquals(decideEviction(p, [], [p]), { allowed: true });
});

Deno.test("eviction: minAvailable as an integer", () => {
  const all = pods(3);
  assertEquals(decideEviction(all[0], [pdb("web", { minAvailable: 2 })], all), { allowed: true, pdb: "web" });
  const refused = decideEviction(all[0], [pdb("web", { minAvailable: 3 })], all);
  assertEquals(refused, {
    allowed: false,
    code: 429,
    pdb: "web",
    message: EVICTION_REFUSED_MESSAGE,
    causes: [{
      type: "DisruptionBudget",
      message: "The disruption budget web needs 3 healthy pods and has 3 currently",
    }],
  });
});

Deno.test("eviction: minAvailable as a percentage rounds up", () => {
  const all = pods(3);
  // 50% of 3 = 1.5 -> 2 desired, 3 healthy: one disruption allowed.
  assertEquals(computeBudgetStatus(pdb("web", { minAvailable: "50%" }), all), {
    expectedPods: 3,
    currentHealthy: 3,
    desiredHealthy: 2,
    disruptionsAllowed: 1,
  });
  assertEquals(decideEviction(all[0], [pdb("web", { minAvailable: "50%" })], all).allowed, true);
  // 67% of 3 = 2.01 -> 3 desired: nothing may go.
  assertEquals(decideEviction(all[0], [pdb("web", { minAvailable: "67%" })], all).allowed, false);
});

Deno.test("eviction: maxUnavailable as an integer and as a percentage", () => {
  const all = pods(4);
  assertEquals(computeBudgetStatus(pdb("web", { maxUnavailable: 1 }), all).disruptionsAllowed, 1);
  assertEquals(decideEviction(all[1], [pdb("web", { maxUnavailable: 1 })], all).allowed, true);
  assertEquals(decideEviction(all[1], [pdb("web", { maxUnavailable: 0 })], all).allowed, false);
  // 25% of 4 = 1 unavailable -> 3 desired; 30% of 4 = 1.2 -> 2 unavailable (rounded up) -> 2 desired.
  assertEquals(computeBudgetStatus(pdb("web", { maxUnavailable: "25%" }), all).desiredHealthy, 3);
  assertEquals(computeBudgetStatus(pdb("web", { maxUnavailable: "30%" }), all).desiredHealthy, 2);
  // With one pod already unready, maxUnavailable 1 is used up.
  const oneDown = pods(4, 1);
  assertEquals(decideEviction(oneDown[2], [pdb("web", { maxUnavailable: 1 })], oneDown).allowed, false);
});

Deno.test("eviction: unhealthy pods under IfHealthyBudget (default) and AlwaysAllow", () => {
  // 4 pods, 1 unready; minAvailable 3 is met by the 3 healthy ones: the unready pod may go, a ready one may not.
  const all = pods(4, 1);
  const budget = pdb("web", { minAvailable: 3 });
  assertEquals(decideEviction(all[0], [budget], all), { allowed: true, pdb: "web" });
  assertEquals(decideEviction(all[1], [budget], all).allowed, false);
  // 2 of 4 unready: the budget is not met, so even the unready pod is protected ...
  const twoDown = pods(4, 2);
  assertEquals(decideEviction(twoDown[0], [budget], twoDown).allowed, false);
  // ... unless the budget says AlwaysAllow.
  const always = pdb("web", { minAvailable: 3, unhealthyPodEvictionPolicy: "AlwaysAllow" });
  assertEquals(decideEviction(twoDown[0], [always], twoDown), { allowed: true, pdb: "web" });
  assertEquals(decideEviction(twoDown[2], [always], twoDown).allowed, false);
});

Deno.test("eviction: pending, terminal and deleting pods ignore budgets; deleting pods are not healthy", () => {
  const all = pods(2);
  const budget = pdb("web", { minAvailable: 2 });
  for (const phase of ["Pending", "Succeeded", "Failed"]) {
    assertEquals(decideEviction(pod("x", { phase }), [budget], all), { allowed: true }, phase);
  }
  assertEquals(decideEviction(pod("x", { deleting: true }), [budget], all), { allowed: true });
  const withDeleting = [...pods(3), pod("gone", { deleting: true })];
  assertEquals(computeBudgetStatus(pdb("web", { minAvailable: 1 }), withDeleting).currentHealthy, 3);
});

Deno.test("eviction: more than one matching budget is refused with kube's 500 message", () => {
  const all = pods(3);
  const d = decideEviction(all[0], [pdb("a", { minAvailable: 1 }), pdb("b", { maxUnavailable: 1 })], all);
  assertEquals(d, { allowed: false, code: 500, message: MULTIPLE_PDBS_MESSAGE });
});

Deno.test("eviction: selectors — matchExpressions, empty selects all, missing selects none, other namespaces ignored", () => {
  const all = pods(2);
  const exprs = pdb("web", {
    minAvailable: 2,
    selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
  });
  assertEquals(decideEviction(all[0], [exprs], all).allowed, false);
  assertEquals(decideEviction(all[0], [pdb("web", { minAvailable: 2, selector: {} })], all).allowed, false);
  assertEquals(decideEviction(all[0], [pdb("web", { minAvailable: 2, selector: undefined })], all), { allowed: true });
  const elsewhere = { ...pdb("web", { minAvailable: 2 }), metadata: { name: "web", namespace: "other" } } as KubeObject;
  assertEquals(decideEviction(all[0], [elsewhere], all), { allowed: true });
});

Deno.test("eviction: an unparsable percentage protects every pod and says why", () => {
  const all = pods(3);
  const d = decideEviction(all[0], [pdb("web", { minAvailable: "half" })], all);
  assertEquals(d.allowed, false);
  if (!d.allowed) assertEquals(d.causes?.[0].message.includes("string is not a percentage"), true);
});
