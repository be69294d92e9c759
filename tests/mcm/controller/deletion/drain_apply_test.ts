import assert from "node:assert/strict";
import { apiErrorFrom } from "../../../../src/k8s/api/errors.ts";
import {
  type DrainEnv,
  DrainError,
  exclusiveVolumes,
  isMisconfiguredPdb,
  podsToDrain,
  runDrain,
  sortByPriority,
} from "../../../../src/mcm/controller/deletion/drain_apply.ts";
import type { Pod, PodDisruptionBudget } from "../../../../src/k8s/api/builtin_types.ts";
import { FakeClock, yieldToEventLoop } from "../../../../src/runtime/clock.ts";
import { getLogger } from "../../../../src/observability/log.ts";

function pod(name: string, extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}`, ...(extra.metadata ?? {}) },
    spec: { nodeName: "n1", terminationGracePeriodSeconds: 30, ...(extra.spec ?? {}) },
    status: { phase: "Running" },
  };
}

/** An in-memory world: pods vanish when evicted/deleted; evictions of `protected` pods are refused `refusals` times. */
class FakeWorld implements DrainEnv {
  clock = new FakeClock(0);
  log = getLogger("test.drain");
  pods = new Map<string, Pod>();
  refusals = new Map<string, number>();
  evictions: string[] = [];
  deletions: Array<[string, number]> = [];
  pdbs: PodDisruptionBudget[] = [];
  attached: string[] = [];
  elsewhere = new Set<string>();
  pvs = new Map<string, string[]>();
  ids: Record<string, string> = {};
  /** Pods that only go away when a test removes them (a slow kubelet). */
  sticky = new Set<string>();

  add(p: Pod) {
    this.pods.set(p.metadata.name!, p);
  }
  podsOnNode(node: string) {
    return [...this.pods.values()].filter((p) => p.spec?.nodeName === node);
  }
  getPod(_ns: string, name: string) {
    return this.pods.get(name);
  }
  evictPod(p: Pod) {
    const name = p.metadata.name!;
    this.evictions.push(name);
    const left = this.refusals.get(name) ?? 0;
    if (left > 0) {
      this.refusals.set(name, left - 1);
      return Promise.reject(
        apiErrorFrom(429, {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          reason: "TooManyRequests",
          message: "Cannot evict pod as it would violate the pod's disruption budget.",
          code: 429,
        }),
      );
    }
    if (!this.sticky.has(name)) this.pods.delete(name);
    return Promise.resolve();
  }
  deletePod(p: Pod, grace: number) {
    this.deletions.push([p.metadata.name!, grace]);
    this.pods.delete(p.metadata.name!);
    return Promise.resolve();
  }
  pdbsForPod() {
    return this.pdbs;
  }
  persistentVolumesOfPod(p: Pod) {
    return this.pvs.get(p.metadata.name!) ?? [];
  }
  volumeIDs(pvs: string[]) {
    return Promise.resolve(pvs.map((pv) => this.ids[pv]).filter((x) => x !== undefined));
  }
  attachedVolumeNames() {
    return this.attached;
  }
  attachedElsewhere(pv: string) {
    return this.elsewhere.has(pv);
  }
}

const normal = {
  nodeName: "n1",
  force: false,
  timeoutMs: 3_600_000,
  maxEvictRetries: 3,
  pvDetachTimeoutMs: 120_000,
  pvReattachTimeoutMs: 90_000,
};

/** Runs the drain while advancing the fake clock in 5 s steps until it settles. */
async function drive(world: FakeWorld, run: Promise<void>, maxSteps = 2000): Promise<unknown> {
  let outcome: unknown = "pending";
  run.then(() => (outcome = "ok"), (e) => (outcome = e));
  for (let i = 0; i < maxSteps && outcome === "pending"; i++) {
    await yieldToEventLoop();
    if (outcome !== "pending") break;
    await world.clock.advance(5_000);
  }
  return outcome;
}

Deno.test("podsToDrain skips mirror pods and DaemonSet pods, keeps unmanaged and finished ones", () => {
  const pods = [
    pod("app"),
    pod("mirror", { metadata: { name: "mirror", annotations: { "kubernetes.io/config.mirror": "x" } } }),
    pod("ds", {
      metadata: {
        name: "ds",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "d", uid: "1", controller: true }],
      },
    }),
  ];
  assert.deepEqual(podsToDrain(pods).map((p) => p.metadata.name), ["app"]);
});

Deno.test("sortByPriority puts higher priority first; exclusiveVolumes drops shared volumes", () => {
  const sorted = sortByPriority([
    pod("low", { spec: { priority: 1 } }),
    pod("none"),
    pod("high", { spec: { priority: 100 } }),
  ]);
  assert.deepEqual(sorted.map((p) => p.metadata.name), ["high", "low", "none"]);
  const ex = exclusiveVolumes(new Map([["a", ["pv1", "pv2"]], ["b", ["pv2"]]]));
  assert.deepEqual(ex.get("a"), ["pv1"]);
  assert.deepEqual(ex.get("b"), []);
});

Deno.test("misconfigured PDB: all expected pods healthy and zero disruptions allowed", () => {
  const pdb = (s: PodDisruptionBudget["status"]): PodDisruptionBudget => ({
    metadata: { name: "p", generation: 1 },
    status: s,
  });
  assert.equal(
    isMisconfiguredPdb(pdb({ observedGeneration: 1, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0 })),
    true,
  );
  assert.equal(
    isMisconfiguredPdb(pdb({ observedGeneration: 1, expectedPods: 2, currentHealthy: 1, disruptionsAllowed: 0 })),
    false,
  );
  assert.equal(
    isMisconfiguredPdb(pdb({ observedGeneration: 0, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0 })),
    false,
  );
  // In the middle of an eviction: a pod is disrupted and currentHealthy has not caught up. Busy, not misconfigured.
  const disruptedPods = { "pod-a": "2026-01-01T00:00:00Z" };
  assert.equal(
    isMisconfiguredPdb(
      pdb({ observedGeneration: 1, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0, disruptedPods }),
    ),
    false,
  );
  // More healthy pods than expected (a surge) and none disrupted: still misconfigured.
  assert.equal(
    isMisconfiguredPdb(pdb({ observedGeneration: 1, expectedPods: 2, currentHealthy: 3, disruptionsAllowed: 0 })),
    true,
  );
});

Deno.test("drain: pods are evicted and waited for", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.add(pod("b"));
  assert.equal(await drive(w, runDrain(w, normal, new AbortController().signal)), "ok");
  assert.deepEqual(w.evictions.sort(), ["a", "b"]);
  assert.equal(w.pods.size, 0);
  assert.equal(w.clock.pending(), 0, "no timer left behind");
});

Deno.test("drain: a PDB refusal is retried every 20 s and succeeds once allowed", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.refusals.set("a", 2);
  const start = w.clock.now();
  assert.equal(await drive(w, runDrain(w, { ...normal, maxEvictRetries: 10 }, new AbortController().signal)), "ok");
  assert.deepEqual(w.evictions, ["a", "a", "a"]);
  assert.deepEqual(w.deletions, []);
  assert.ok(w.clock.now() - start >= 40_000, "two 20 s waits");
});

Deno.test("drain: after maxEvictRetries refusals the pod is deleted with grace 0", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.refusals.set("a", 100);
  assert.equal(await drive(w, runDrain(w, { ...normal, maxEvictRetries: 3 }, new AbortController().signal)), "ok");
  assert.equal(w.evictions.length, 3);
  assert.deepEqual(w.deletions, [["a", 0]]);
});

Deno.test("drain: a misconfigured PDB fails the drain at once", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.refusals.set("a", 100);
  w.pdbs = [{
    metadata: { name: "pdb", namespace: "default" },
    status: { expectedPods: 1, currentHealthy: 1, disruptionsAllowed: 0 },
  }];
  const out = await drive(w, runDrain(w, normal, new AbortController().signal));
  assert.ok(out instanceof DrainError);
  assert.match(out.message, /default\/a: eviction refused: PodDisruptionBudget default\/pdb is misconfigured/);
  assert.equal(w.evictions.length, 1);
});

Deno.test("drain: force mode deletes every pod with grace 0 without eviction", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.add(pod("b"));
  w.refusals.set("a", 100);
  assert.equal(
    await drive(w, runDrain(w, { ...normal, force: true, timeoutMs: 60_000 }, new AbortController().signal)),
    "ok",
  );
  assert.deepEqual(w.evictions, []);
  assert.deepEqual(w.deletions.sort(), [["a", 0], ["b", 0]]);
});

Deno.test("drain: a pod that does not terminate fails the drain after grace + 30 s", async () => {
  const w = new FakeWorld();
  w.add(pod("slow", { spec: { terminationGracePeriodSeconds: 10 } }));
  w.sticky.add("slow");
  const out = await drive(w, runDrain(w, normal, new AbortController().signal));
  assert.ok(out instanceof DrainError);
  assert.match(out.message, /did not terminate within 40s/);
});

Deno.test("drain: the whole drain is bounded by its timeout", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.refusals.set("a", 1000);
  const out = await drive(
    w,
    runDrain(w, { ...normal, maxEvictRetries: 1000, timeoutMs: 60_000 }, new AbortController().signal),
  );
  assert.ok(out instanceof DrainError);
  assert.match(out.message, /Drain did not complete within/);
  assert.equal(w.clock.pending(), 0);
});

Deno.test("drain: pods with volumes go one by one, waiting for detach and re-attach", async () => {
  const w = new FakeWorld();
  const pvcPod = (name: string, prio: number) =>
    pod(name, {
      spec: { priority: prio, volumes: [{ name: "data", persistentVolumeClaim: { claimName: `c-${name}` } }] },
    });
  w.add(pvcPod("db-low", 1));
  w.add(pvcPod("db-high", 10));
  w.pvs.set("db-low", ["pv-low"]);
  w.pvs.set("db-high", ["pv-high"]);
  w.ids = { "pv-low": "vol-low", "pv-high": "vol-high" };
  w.attached = ["kubernetes.io/csi/x^vol-low", "kubernetes.io/csi/x^vol-high"];
  const run = runDrain(w, normal, new AbortController().signal);
  let done = false;
  run.then(() => (done = true));
  await w.clock.advance(10_000);
  // The high-priority pod was evicted first and the drain now waits for its volume.
  assert.deepEqual(w.evictions, ["db-high"]);
  w.attached = ["kubernetes.io/csi/x^vol-low"];
  w.elsewhere.add("pv-high");
  await w.clock.advance(10_000);
  assert.deepEqual(w.evictions, ["db-high", "db-low"]);
  w.attached = [];
  w.elsewhere.add("pv-low");
  for (let i = 0; i < 10 && !done; i++) await w.clock.advance(5_000);
  assert.equal(done, true);
});

Deno.test("drain: a PDB-blocked pod with volumes does not hold up the other pods with volumes (rounds every 20 s)", async () => {
  const w = new FakeWorld();
  const pvcPod = (name: string, prio: number) =>
    pod(name, {
      spec: { priority: prio, volumes: [{ name: "data", persistentVolumeClaim: { claimName: `c-${name}` } }] },
    });
  w.add(pvcPod("blocked", 10));
  w.add(pvcPod("free", 1));
  w.refusals.set("blocked", 3);
  const run = runDrain(w, { ...normal, maxEvictRetries: 10 }, new AbortController().signal);
  let done = false;
  run.then(() => (done = true));
  await w.clock.advance(1_000);
  // The first round tried the blocked pod, then went on to the next one at once.
  assert.deepEqual(w.evictions, ["blocked", "free"]);
  for (let i = 0; i < 40 && !done; i++) await w.clock.advance(5_000);
  assert.equal(done, true);
  assert.deepEqual(w.evictions, ["blocked", "free", "blocked", "blocked", "blocked"]);
  assert.deepEqual(w.deletions, []);
});

Deno.test("drain: aborting the parent signal stops the drain", async () => {
  const w = new FakeWorld();
  w.add(pod("a"));
  w.refusals.set("a", 1000);
  const ac = new AbortController();
  const run = runDrain(w, { ...normal, maxEvictRetries: 1000 }, ac.signal);
  const failed = run.then(() => false, () => true);
  await w.clock.advance(20_000);
  ac.abort(new Error("shutdown"));
  assert.equal(await failed, true);
  assert.equal(w.clock.pending(), 0);
});
