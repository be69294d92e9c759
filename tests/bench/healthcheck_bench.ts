/**
 * Health checks at 100 shoots: one fake seed (a Cluster, a Worker, a healthy MachineDeployment of 3 and its
 * `gardener` secret per shoot namespace) and 100 fake shoot API servers (3 ready nodes each); the Equinix health
 * checks run on a Manager with a fake clock. After the first pass made every Worker's `EveryNodeReady` True, it
 * measures per pass (one sync period): process CPU, status writes, seed and shoot requests.
 *
 * Run: `deno task bench healthcheck`.
 */
import { type ApiServer, startApiServer } from "../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { Manager } from "../../src/k8s/controller/manager.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { encodeBase64 } from "../../src/runtime/base64.ts";
import { configureLogging, getLogger } from "../../src/observability/log.ts";
import { add } from "../../src/extension/healthcheck/add.ts";
import { clusterObject } from "../extension/reconciler/harness.ts";
import { healthCrds } from "../extension/healthcheck/harness.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";

const SHOOTS = 100;
const NODES = 3;
const PASSES = 10;
const SYNC_MS = 30_000;

configureLogging({ level: "error" });
console.log(`machine: ${machineDescription()}`);

const clock = new FakeClock();
const namespaces = Array.from({ length: SHOOTS }, (_, i) => `shoot--bench--s${String(i).padStart(3, "0")}`);
const seed = await startApiServer({
  clock,
  bookmarkIntervalMs: 60_000,
  namespaces: ["default", "kube-system", "garden", ...namespaces],
});
await seed.installCrds(healthCrds());
const client = new KubeClient(seed.connection());
const shoots: ApiServer[] = [];
for (const ns of namespaces) {
  const shoot = await startApiServer({ clock, tls: false, bookmarkIntervalMs: 60_000 });
  shoots.push(shoot);
  const sc = new KubeClient(shoot.connection());
  for (let n = 0; n < NODES; n++) {
    await sc.create(CoreV1.nodes, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: `node-${n}` },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    } as KubeObject);
  }
  sc.close();
  const cluster = clusterObject();
  await client.create(ExtensionsV1alpha1.clusters, { ...cluster, metadata: { name: ns } });
  await client.create(CoreV1.secrets, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "gardener", namespace: ns },
    data: { kubeconfig: encodeBase64(shoot.kubeconfigYaml()) },
  } as KubeObject);
  await client.create(ExtensionsV1alpha1.workers, {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Worker",
    metadata: { name: "worker", namespace: ns },
    spec: { type: "equinixmetal", region: "ny", secretRef: { name: "cloudprovider", namespace: ns }, pools: [] },
  } as KubeObject);
  const md = await client.create(MachineV1alpha1.machineDeployments, {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineDeployment",
    metadata: { name: "pool-a", namespace: ns },
    spec: { replicas: NODES, selector: { matchLabels: { name: "pool-a" } }, template: { spec: {} } },
  } as KubeObject, { namespace: ns });
  await client.updateStatus(MachineV1alpha1.machineDeployments, {
    ...md,
    status: {
      observedGeneration: md.metadata.generation,
      replicas: NODES,
      updatedReplicas: NODES,
      availableReplicas: NODES,
      conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }],
    },
  } as KubeObject, { namespace: ns });
}

const manager = new Manager({ client, clock });
const checks = add(manager, {
  client,
  extensionClasses: ["shoot"],
  ignoreOperationAnnotation: false,
  clock,
  log: getLogger("extension.healthcheck"),
  options: { syncPeriodMs: SYNC_MS, concurrency: 1, shootQps: 100, shootBurst: 130 },
});
const stop = new AbortController();
const done = manager.start(stop.signal);
// Time spent inside the health-check reconciles (all reads are cached: this is their CPU, without the servers').
let reconcileMs = 0;
let reconciles = 0;
for (const c of checks.controllers) {
  const reconcile = c.reconciler.reconcile.bind(c.reconciler);
  c.reconciler.reconcile = async (req, ctx) => {
    const t = performance.now();
    reconciles++;
    try {
      return await reconcile(req, ctx);
    } finally {
      reconcileMs += performance.now() - t;
    }
  };
}

async function allTrue(): Promise<boolean> {
  const list = await client.list(ExtensionsV1alpha1.workers);
  return list.items.every((w) =>
    (w as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.some((c) =>
      c.type === "EveryNodeReady" && c.status === "True"
    )
  );
}

/** One sync period of fake time, in steps with real I/O between them, until the queue is drained. */
async function pass(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await clock.advance(SYNC_MS / 10);
    await new Promise((r) => setTimeout(r, 5));
  }
  const worker = checks.controllers[0].controller;
  while (worker.queueLength() > 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
}

const firstStart = performance.now();
const cpuFirst = cpuSeconds();
while (!(await allTrue())) await pass();
report({
  name: "healthcheck: first pass of 100 shoots until all EveryNodeReady True",
  value: (performance.now() - firstStart) / 1000,
  unit: "s",
});
report({
  name: "healthcheck: CPU of the first pass (caches filled, 100 writes)",
  value: cpuSeconds() - cpuFirst,
  unit: "s",
});

const writesBefore = checks.controllers[0].reconciler.writeCount;
const seedBefore = seed.counters.snapshot().byVerb;
const shootRequests = () =>
  shoots.reduce((n, s) => n + Object.values(s.counters.snapshot().byVerb).reduce((a, b) => a + b, 0), 0);
const shootBefore = shootRequests();
const cpuBefore = cpuSeconds();
const reconcileBefore = reconcileMs;
const reconcilesBefore = reconciles;
const wallBefore = performance.now();
for (let i = 0; i < PASSES; i++) await pass();
const cpu = cpuSeconds() - cpuBefore;
const seedAfter = seed.counters.snapshot().byVerb;
const seedRequests = Object.entries(seedAfter).reduce((n, [v, c]) => n + c - (seedBefore[v] ?? 0), 0);
const writes = checks.controllers[0].reconciler.writeCount - writesBefore;
report({
  name: "healthcheck: time in the health-check reconciles per pass over 100 shoots (steady state)",
  value: (reconcileMs - reconcileBefore) / PASSES,
  unit: "ms",
  goal: "< 1000 ms (30 s period)",
});
report({
  name: "healthcheck: Worker checks per pass",
  value: (reconciles - reconcilesBefore) / PASSES,
  unit: "checks",
});
report({
  name: "healthcheck: process CPU per pass, 101 fake API servers included (steady state)",
  value: (cpu / PASSES) * 1000,
  unit: "ms",
});
report({
  name: "healthcheck: status writes per pass (steady state)",
  value: writes / PASSES,
  unit: "writes",
  goal: "0",
});
report({ name: "healthcheck: seed requests per pass (steady state)", value: seedRequests / PASSES, unit: "requests" });
report({
  name: "healthcheck: shoot requests per pass (steady state)",
  value: (shootRequests() - shootBefore) / PASSES,
  unit: "requests",
});
report({
  name: "healthcheck: wall time of the measured passes",
  value: (performance.now() - wallBefore) / 1000,
  unit: "s",
});
report({ name: "healthcheck: peak RSS", value: peakRssMb(), unit: "MB" });

stop.abort();
await done;
client.close();
for (const s of shoots) await s.stop();
await seed.stop();
if (writes !== 0) {
  console.error(`expected 0 writes in steady state, got ${writes}`);
  Deno.exit(1);
}
