/**
 * Machine controller at 1,000 machines: 1,000 Machines from creation to Running (the Metal simulator provisions in
 * no time, the node simulation registers a Ready Node for every active device), then their deletion. The world
 * (API servers, simulator, node simulation) runs in a child process (`machine_controller_env.ts`), so CPU and RSS
 * here are the controller's own. The controller uses the real Equinix Metal driver over loopback HTTP and the
 * client limits gardenlet gives the sidecar (--kube-api-qps=100, --kube-api-burst=200).
 *
 * Run: `deno task bench machine_controller` (BENCH_MACHINES=n for another size, BENCH_TRACE=ms to print memory and
 * queue lengths periodically, BENCH_SYNCS=n for --concurrent-syncs).
 */
import { KubeClient } from "../../src/k8s/client/client.ts";
import { loadConnection } from "../../src/k8s/client/kubeconfig.ts";
import { EquinixMetalDriver } from "../../src/mcm/driver/equinix_metal_driver.ts";
import { MachineController } from "../../src/mcm/controller/machine_controller.ts";
import { withDefaults } from "../../src/mcm/options.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";

const N = Number(Deno.env.get("BENCH_MACHINES") ?? 1000);
configureLogging({ level: "error" });

interface Stats {
  machines: number;
  nodes: number;
  nodesSynced: number;
  phases: Record<string, number>;
  devices: number;
  metal: Record<string, number>;
  controlWrites: number;
  controlByVerb: Record<string, number>;
  targetWrites: number;
  targetByVerb: Record<string, number>;
  nodeSimWrites: number;
}

const env = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("./machine_controller_env.ts", import.meta.url).pathname],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = env.stdout.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
while (!buffered.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) throw new Error("environment process exited before it was ready");
  buffered += value;
}
const info = JSON.parse(buffered.split("\n")[0]) as {
  control: string;
  target: string;
  metalUrl: string;
  statsUrl: string;
  namespace: string;
};
const stats = async (): Promise<Stats> => await (await fetch(`${info.statsUrl}/stats`)).json();
const post = async (path: string, method = "POST") => await (await fetch(`${info.statsUrl}${path}`, { method })).text();
const metalTotal = (s: Stats) => Object.values(s.metal).reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;
/** Memory after a full GC (only with --expose-gc), for the per-machine cost of the caches. */
function memory(label: string): void {
  gc?.();
  const m = Deno.memoryUsage();
  const mb = (n: number) => (n / 1048576).toFixed(1);
  console.log(
    `  memory ${label}: rss ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} MB of ${mb(m.heapTotal)} MB, external ${
      mb(m.external)
    } MB`,
  );
}

const clientOptions = { qps: 100, burst: 200 };
const control = new KubeClient(await loadConnection({ path: info.control }), clientOptions);
const target = new KubeClient(await loadConnection({ path: info.target }), clientOptions);
const driver = new EquinixMetalDriver({ metalApiUrl: info.metalUrl });
const controller = new MachineController({
  control,
  target,
  driver,
  options: withDefaults({
    namespace: info.namespace,
    kubeApiQps: 100,
    kubeApiBurst: 200,
    concurrentSyncs: Number(Deno.env.get("BENCH_SYNCS") ?? 50),
  }),
});
const stop = new AbortController();
const running = controller.start(stop.signal);
if (Deno.env.get("BENCH_TRACE")) {
  const t = setInterval(() => {
    const m = Deno.memoryUsage();
    const mb = (n: number) => (n / 1048576).toFixed(0);
    const roll = Deno.readTextFileSync("/proc/self/smaps_rollup");
    const anon = Number(/Anonymous:\s+(\d+)/.exec(roll)?.[1] ?? 0) / 1024;
    console.log(
      `  trace: anon ${anon.toFixed(0)} rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${
        mb(m.external)
      } fresh ${controller.state.fresh.pending()} queues ${JSON.stringify(controller.queueLengths())}`,
    );
  }, Number(Deno.env.get("BENCH_TRACE")));
  stop.signal.addEventListener("abort", () => clearInterval(t));
}
while (!controller.hasSynced()) await sleep(50);
await sleep(2000); // start-up orphan pass and class/secret finalizers
memory("before");

console.log(`\nmachine controller, ${N} machines; ${machineDescription()}`);
await post("/reset");
const cpu0 = cpuSeconds();
const t0 = performance.now();
await post(`/machines?n=${N}`);
const created = performance.now();
let s = await stats();
while ((s.phases.Running ?? 0) < N) {
  await sleep(250);
  s = await stats();
  if (performance.now() - t0 > 20 * 60_000) {
    throw new Error(`not all Running after 20 min: ${JSON.stringify(s.phases)}`);
  }
}
const t1 = performance.now();
while (s.nodesSynced < N) {
  await sleep(250);
  s = await stats();
  if (performance.now() - t0 > 20 * 60_000) throw new Error(`not all nodes synced after 20 min: ${s.nodesSynced}`);
}
const t1b = performance.now();
const cpu1 = cpuSeconds();
report({ name: "create: Machines created by the client", value: (created - t0) / 1000, unit: "s" });
report({ name: "create: wall time until all Running", value: (t1 - t0) / 1000, unit: "s", goal: "< 120 s" });
report({ name: "create: wall time until every Node has finalizer and label", value: (t1b - t0) / 1000, unit: "s" });
report({ name: "create: Metal API calls per machine", value: metalTotal(s) / N, unit: "calls", goal: "<= 2" });
console.log(`  Metal requests: ${JSON.stringify(s.metal)}`);
const createWrites = s.controlWrites - N + s.targetWrites - s.nodeSimWrites;
report({ name: "create: API-server writes per machine (controller)", value: createWrites / N, unit: "writes" });
console.log(`  control: ${JSON.stringify(s.controlByVerb)}`);
console.log(`  target: ${JSON.stringify(s.targetByVerb)} (node simulation: ${s.nodeSimWrites})`);
report({ name: "create: controller CPU per machine", value: ((cpu1 - cpu0) / N) * 1000, unit: "ms" });

memory("all Running");
// Steady state: nothing but leases may be written (there are none here: no leader election).
await sleep(10_000);
await post("/reset");
await sleep(20_000);
s = await stats();
report({
  name: "steady state: API writes in 20 s",
  value: s.controlWrites + s.targetWrites - s.nodeSimWrites,
  unit: "writes",
  goal: "0",
});
report({ name: "steady state: Metal API calls in 20 s", value: metalTotal(s), unit: "calls", goal: "0" });
console.log(`  control: ${JSON.stringify(s.controlByVerb)}`);
console.log(`  target: ${JSON.stringify(s.targetByVerb)} (node simulation: ${s.nodeSimWrites})`);

await post("/reset");
const cpu2 = cpuSeconds();
const t2 = performance.now();
await post("/machines", "DELETE");
s = await stats();
while (s.machines > 0) {
  await sleep(250);
  s = await stats();
  if (performance.now() - t2 > 20 * 60_000) throw new Error(`not all deleted after 20 min: ${s.machines} left`);
}
const t3 = performance.now();
const cpu3 = cpuSeconds();
report({ name: "delete: wall time until all Machines gone", value: (t3 - t2) / 1000, unit: "s" });
const deleteMetal = Object.entries(s.metal).filter(([k]) => !k.startsWith("GET /projects/{id}/devices"));
report({
  name: "delete: Metal API calls per machine (excluding orphan-collection lists)",
  value: deleteMetal.reduce((a, [, v]) => a + v, 0) / N,
  unit: "calls",
  goal: "<= 1",
});
console.log(`  Metal requests: ${JSON.stringify(s.metal)}`);
report({
  name: "delete: API-server writes per machine (controller)",
  value: (s.controlWrites - N + s.targetWrites - s.nodeSimWrites) / N,
  unit: "writes",
});
console.log(`  control: ${JSON.stringify(s.controlByVerb)}`);
console.log(`  target: ${JSON.stringify(s.targetByVerb)} (node simulation: ${s.nodeSimWrites})`);
report({ name: "delete: controller CPU per machine", value: ((cpu3 - cpu2) / N) * 1000, unit: "ms" });
report({ name: "controller peak RSS", value: peakRssMb(), unit: "MB", goal: "< 150 MB" });

stop.abort();
await running;
control.close();
target.close();
env.kill("SIGTERM");
await env.status;
reader.releaseLock();
await env.stdout.cancel().catch(() => {});
