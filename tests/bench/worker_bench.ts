/**
 * The Worker controller at scale: a Worker with 20 pools over 3 zones each (60 MachineDeployments, 60 classes, 60 class
 * Secrets) against the fake API server behind the generic reconciler, with the test-side MCM of
 * tests/extension/worker/harness.ts. Measures the compute step alone, the first reconcile (creates everything), and the
 * resync of the up-to-date Worker (reads only; it must write nothing).
 */
import { cpuSeconds, report } from "./report.ts";
import { WorkerHarness } from "../extension/worker/harness.ts";
import { clusterContext, credentialsSecret, pool, userDataSecret, workerObject } from "../extension/worker/fixtures.ts";
import { computeDesiredWorker } from "../../src/extension/worker/delegate.ts";
import type { Secret } from "kubernetes-types/core/v1.d.ts";

const POOLS = 20;
const RESYNCS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const pools = Array.from(
  { length: POOLS },
  (_, i) =>
    pool(`p${i}`, i % 2 ? "m3.small.x86" : "c3.small.x86", ["ny5", "ny7", "ny2"], {
      minimum: 3,
      maximum: 9,
      userDataSecretRef: { name: "user-data-pool-a", key: "cloud_config" },
    }),
);
const worker = workerObject(pools);

// 1. The pure compute step.
const inputs = {
  worker,
  cluster: clusterContext(),
  credentials: credentialsSecret() as Secret,
  userDataSecrets: new Map([["user-data-pool-a", userDataSecret("pool-a") as Secret]]),
  existingDeploymentNames: new Set<string>(),
};
for (let i = 0; i < 20; i++) computeDesiredWorker(inputs);
const computeRuns: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  computeDesiredWorker(inputs);
  computeRuns.push(performance.now() - t);
}
report({
  name: `compute ${POOLS * 3} deployments (median of 200)`,
  value: median(computeRuns),
  unit: "ms",
  goal: "< 20 ms",
});

// 2. Reconciles against the fake API server.
const h = await WorkerHarness.start();
try {
  await h.createWorker(worker);
  await h.annotate();
  h.resetCounters();
  let t = performance.now();
  await h.reconcile();
  report({ name: "first reconcile (180 objects created)", value: performance.now() - t, unit: "ms", goal: "< 10 s" });
  report({ name: "first reconcile: write requests", value: h.writes(), unit: "requests" });
  await h.mcm.addFinalizers();
  await h.mcm.settleAll();
  await h.clock.advance(5000);
  await h.reconcile();

  const walls: number[] = [];
  h.resetCounters();
  const cpu0 = cpuSeconds();
  for (let i = 0; i < RESYNCS; i++) {
    await h.clock.advance(60_000);
    t = performance.now();
    await h.reconcile();
    walls.push(performance.now() - t);
  }
  const cpu = (cpuSeconds() - cpu0) / RESYNCS;
  const snapshot = h.api.counters.snapshot().byVerb;
  const reads = ((snapshot.get ?? 0) + (snapshot.list ?? 0)) / RESYNCS;
  report({ name: "resync of the up-to-date Worker (median of 20)", value: median(walls), unit: "ms", goal: "< 1 s" });
  report({ name: "resync: CPU of test process incl. fake API server", value: cpu * 1000, unit: "ms" });
  report({ name: "resync: read requests", value: reads, unit: "requests" });
  report({ name: "resync: write requests", value: h.writes() / RESYNCS, unit: "requests", goal: "0" });
} finally {
  await h.close();
}
