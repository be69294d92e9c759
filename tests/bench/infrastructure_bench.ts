/**
 * The Infrastructure controller at seed scale: 100 shoots (namespace, Cluster, cloudprovider secret, annotated
 * Infrastructure) against the fake API server and the in-process Metal simulator, reconciled by the controller with
 * informers (concurrency 5). Measures the time until every Infrastructure passes gardenlet's readiness check, the
 * requests one create costs (seed and Metal), and the no-op reconcile of an up-to-date Infrastructure (which must
 * write nothing).
 */
import { cpuSeconds, peakRssMb, report } from "./report.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../src/sim/metal/mod.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { InformerFactory } from "../../src/k8s/cache/informer.ts";
import { CoreV1, ExtensionsV1alpha1 } from "../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { newInfrastructureController } from "../../src/extension/infrastructure/mod.ts";
import type { Infrastructure } from "../../src/apis/extensions/v1alpha1.ts";
import { configureLogging, getLogger } from "../../src/observability/log.ts";
import {
  clusterObject,
  extensionCrds,
  infrastructureObject,
  NS,
  readinessProblems,
} from "../extension/reconciler/harness.ts";

configureLogging({ level: "error" });
const SHOOTS = 100;
const NOOP_ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Distinct ed25519 public keys (valid blobs: the simulator parses them). */
function publicKey(i: number): string {
  const blob = new Uint8Array(4 + 11 + 4 + 32);
  const view = new DataView(blob.buffer);
  view.setUint32(0, 11);
  blob.set(new TextEncoder().encode("ssh-ed25519"), 4);
  view.setUint32(15, 32);
  view.setUint32(19, i + 1);
  return `ssh-ed25519 ${btoa(String.fromCharCode(...blob))} shoot-${i}`;
}

const rename = <T>(obj: T, ns: string): T => JSON.parse(JSON.stringify(obj).replaceAll(NS, ns));

const api = await startApiServer({ tls: false });
await api.installCrds(extensionCrds());
const client = new KubeClient(api.connection());
const sim = new MetalSimulator({ randomSeed: 1 });
const names = Array.from({ length: SHOOTS }, (_, i) => `shoot--bench--s${i}`);
for (const [i, ns] of names.entries()) {
  await client.create(CoreV1.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  await client.create(ExtensionsV1alpha1.clusters, rename(clusterObject(), ns));
  await client.create(CoreV1.secrets, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "cloudprovider", namespace: ns },
    stringData: { apiToken: sim.defaultToken, projectID: sim.defaultProjectId },
  } as KubeObject);
  const infra = rename(infrastructureObject(publicKey(i)), ns);
  infra.metadata.annotations = { "gardener.cloud/operation": "reconcile" };
  await client.create(ExtensionsV1alpha1.infrastructures, infra);
}
api.counters.reset();

const informers = new InformerFactory(client);
const ctrl = newInfrastructureController({
  client,
  informers,
  concurrency: 5,
  actuator: { metalApiUrl: IN_PROCESS_BASE_URL, metalFetch: sim.fetch },
});
const stop = new AbortController();
const cpu0 = cpuSeconds();
const t0 = performance.now();
informers.start(stop.signal);
const running = ctrl.start(stop.signal);
for (;;) {
  const list = await client.list<Infrastructure>(ExtensionsV1alpha1.infrastructures);
  if (list.items.filter((o) => readinessProblems(o).length === 0).length === SHOOTS) break;
  await new Promise((r) => setTimeout(r, 20));
}
const elapsed = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
const counts = api.counters.snapshot().byVerb;
const seedWrites = api.counters.writes({ excludeResources: ["events"] });
const seedReads = counts.get ?? 0;
const metalWrites = sim.counters.total("POST ") + sim.counters.total("DELETE ");
report({
  name: `${SHOOTS} Infrastructures created to Succeeded (concurrency 5)`,
  value: elapsed,
  unit: "s",
  goal: "< 30 s",
});
report({ name: "throughput", value: SHOOTS / elapsed, unit: "Infrastructures/s" });
report({ name: "CPU per create", value: (cpu / SHOOTS) * 1000, unit: "ms" });
report({ name: "seed writes per create (events excluded)", value: seedWrites / SHOOTS, unit: "requests", goal: "≤ 6" });
report({ name: "seed GETs per create", value: seedReads / SHOOTS, unit: "requests" });
report({ name: "Metal writes per create", value: metalWrites / SHOOTS, unit: "requests", goal: "1" });
stop.abort();
await running;
await informers.stopped();

// No-op reconciles of up-to-date objects: reads only.
api.counters.reset();
const metalBefore = sim.counters.total("POST ") + sim.counters.total("DELETE ") + sim.counters.total("PUT ");
const times: number[] = [];
const ctx = { signal: new AbortController().signal, log: getLogger("bench") };
for (let round = 0; round < NOOP_ROUNDS; round++) {
  for (const ns of names) {
    const t = performance.now();
    await ctrl.reconciler.reconcile({ namespace: ns, name: "playground" }, ctx);
    times.push(performance.now() - t);
  }
}
report({ name: `no-op reconcile (median of ${times.length})`, value: median(times), unit: "ms", goal: "< 20 ms" });
report({ name: "seed writes of all no-op reconciles", value: api.counters.writes(), unit: "requests", goal: "0" });
report({
  name: "Metal writes of all no-op reconciles",
  value: sim.counters.total("POST ") + sim.counters.total("DELETE ") + sim.counters.total("PUT ") - metalBefore,
  unit: "requests",
  goal: "0",
});
report({ name: "peak RSS", value: peakRssMb(), unit: "MB" });
client.close();
sim.close();
await api.stop();
