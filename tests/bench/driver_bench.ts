/**
 * The Equinix Metal driver against the in-process Metal simulator:
 * - CreateMachine latency (lookup + POST), sequential, in a project that grows to 1,000 devices;
 * - CreateMachine throughput with 16 concurrent machines;
 * - GetMachineStatus latency; ListMachines of 1,000 machines among 2,000 devices;
 * - the same GetMachineStatus through the CMI gRPC server (connect over loopback TCP).
 *
 * Run: `deno task bench driver`.
 */
import { configureLogging } from "../../src/observability/log.ts";
import { startCmiServer } from "../../src/mcm/cmi/server.ts";
import { connectCmi } from "../mcm/cmi/cmi_client.ts";
import { fixture } from "../mcm/driver/sim_fixture.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";

configureLogging({ level: "error" });
console.log(`machine: ${machineDescription()}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const f = fixture();
f.sim.setCapacity("ny", "c3.small.x86", "unlimited");
const otherCluster = f.spec({ tags: ["kubernetes.io/cluster/other", "kubernetes.io/role/node"] });

// Warm-up (JIT, client cache) outside the measurement.
for (let i = 0; i < 50; i++) await f.driver.createMachine(f.req(`warmup-${i}`, { spec: otherCluster }));

// Sequential creates while the project grows.
const SEQUENTIAL = 500;
const latencies: number[] = [];
const cpu0 = cpuSeconds();
for (let i = 0; i < SEQUENTIAL; i++) {
  const t = performance.now();
  await f.driver.createMachine(f.req(`seq-${String(i).padStart(4, "0")}`));
  latencies.push(performance.now() - t);
}
const cpuPerCreate = (cpuSeconds() - cpu0) / SEQUENTIAL;
latencies.sort((a, b) => a - b);
report({
  name: "CreateMachine p50 (sequential, project of 50-550 devices)",
  value: percentile(latencies, 0.5),
  unit: "ms",
  goal: "< 10 ms",
});
report({ name: "CreateMachine p95", value: percentile(latencies, 0.95), unit: "ms", goal: "< 25 ms" });
report({ name: "CPU per CreateMachine", value: cpuPerCreate * 1000, unit: "ms" });

// Concurrent creates.
const CONCURRENT = 500;
const WORKERS = 16;
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: WORKERS }, async () => {
  while (next < CONCURRENT) {
    const i = next++;
    await f.driver.createMachine(f.req(`par-${String(i).padStart(4, "0")}`));
  }
}));
const seconds = (performance.now() - t0) / 1000;
report({
  name: `CreateMachine throughput (${WORKERS} concurrent)`,
  value: CONCURRENT / seconds,
  unit: "machines/s",
  goal: "≥ 100 machines/s",
});

// 1,000 devices of other clusters besides our 1,000 machines.
for (let i = 0; i < 950; i++) await f.driver.createMachine(f.req(`other-${i}`, { spec: otherCluster }));

const statusTimes: number[] = [];
const ids = (await f.driver.listMachines(f.listReq())).machineList;
const providerIDs = Object.keys(ids).slice(0, 300);
for (const providerID of providerIDs) {
  const t = performance.now();
  await f.driver.getMachineStatus(f.req(ids[providerID], { providerID }));
  statusTimes.push(performance.now() - t);
}
statusTimes.sort((a, b) => a - b);
report({ name: "GetMachineStatus p50 (in process)", value: percentile(statusTimes, 0.5), unit: "ms", goal: "< 5 ms" });

const listTimes: number[] = [];
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  const { machineList } = await f.driver.listMachines(f.listReq());
  listTimes.push(performance.now() - t);
  if (Object.keys(machineList).length !== SEQUENTIAL + CONCURRENT) throw new Error("list returned the wrong machines");
}
listTimes.sort((a, b) => a - b);
report({
  name: "ListMachines of 1,000 among 2,000 devices (median)",
  value: percentile(listTimes, 0.5),
  unit: "ms",
  goal: "< 500 ms",
});

// The same status call through the CMI server.
const server = await startCmiServer({ driver: f.driver, endpoint: "tcp://127.0.0.1:0" });
const client = connectCmi(server.endpoint);
const enc = new TextEncoder();
const spec = enc.encode(JSON.stringify(f.spec()));
const secrets = Object.fromEntries(Object.entries(f.secret).map(([k, v]) => [k, enc.encode(v)]));
const grpcTimes: number[] = [];
for (const [i, providerID] of providerIDs.entries()) {
  const t = performance.now();
  await client.machine.getMachineStatus({
    MachineName: ids[providerID],
    ProviderSpec: spec,
    Secrets: secrets,
    ProviderID: providerID,
  });
  if (i >= 20) grpcTimes.push(performance.now() - t); // first calls open the connection
}
grpcTimes.sort((a, b) => a - b);
report({
  name: "GetMachineStatus p50 through CMI gRPC (loopback TCP)",
  value: percentile(grpcTimes, 0.5),
  unit: "ms",
  goal: "< 20 ms",
});
client.close();
await server.close();

report({ name: "peak RSS of the script", value: peakRssMb(), unit: "MB", goal: "< 400 MB" });
