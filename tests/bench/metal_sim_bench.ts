/**
 * Metal API simulator throughput: device creates per second in-process (`sim.fetch`) and over loopback HTTP
 * (`sim.serve()`), N devices with a fixed number of concurrent clients; plus the cost of listing them in pages of
 * 1000 and of a single GET, so that tests and benchmarks of other components know what the simulator costs them.
 *
 * Run: `deno task bench metal_sim`.
 */
import { FakeClock } from "../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../src/sim/metal/mod.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";

const gc = (globalThis as { gc?: () => void }).gc;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 10));
  }
  return Deno.memoryUsage().heapUsed;
}

const DEVICES = 5_000;
const CONCURRENCY = 16;
const GETS = 2_000;

function body(i: number): string {
  return JSON.stringify({
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: `shoot--bench--c1-worker-z1-${i}`,
    billing_cycle: "hourly",
    userdata: "#cloud-config\n" + "x".repeat(2048),
    tags: ["kubernetes.io/cluster/shoot--bench--c1", "kubernetes.io/role/node"],
  });
}

function newSimulator(): MetalSimulator {
  const sim = new MetalSimulator({ clock: new FakeClock(), randomSeed: 1 });
  sim.setCapacity("ny", "c3.small.x86", "unlimited");
  return sim;
}

/** Creates `DEVICES` devices with `CONCURRENCY` workers; returns creates per second. */
async function createAll(doFetch: typeof fetch, base: string, sim: MetalSimulator): Promise<number> {
  const headers = { "X-Auth-Token": sim.defaultToken, "Content-Type": "application/json" };
  const url = `${base}/projects/${sim.defaultProjectId}/devices`;
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < DEVICES; i = next++) {
      const res = await doFetch(url, { method: "POST", headers, body: body(i) });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    }
  }));
  return DEVICES / ((performance.now() - start) / 1000);
}

async function listAll(doFetch: typeof fetch, base: string, sim: MetalSimulator): Promise<number> {
  const headers = { "X-Auth-Token": sim.defaultToken };
  const start = performance.now();
  let seen = 0;
  for (let page = 1;; page++) {
    const res = await doFetch(`${base}/projects/${sim.defaultProjectId}/devices?per_page=1000&page=${page}`, {
      headers,
    });
    const json = await res.json();
    seen += json.devices.length;
    if (json.meta.last_page <= json.meta.current_page) break;
  }
  if (seen !== DEVICES) throw new Error(`listed ${seen} of ${DEVICES}`);
  return performance.now() - start;
}

async function getMany(doFetch: typeof fetch, base: string, sim: MetalSimulator): Promise<number> {
  const headers = { "X-Auth-Token": sim.defaultToken };
  const ids = sim.devices().map((d) => d.id);
  const start = performance.now();
  for (let i = 0; i < GETS; i++) {
    const res = await doFetch(`${base}/devices/${ids[i % ids.length]}`, { headers });
    if (res.status !== 200) throw new Error(`get: ${res.status}`);
    await res.body?.cancel();
  }
  return ((performance.now() - start) * 1000) / GETS;
}

console.log(`machine: ${machineDescription()}`);
console.log(`${DEVICES} devices, ${CONCURRENCY} concurrent clients, 2 KiB userdata each`);

{
  const sim = newSimulator();
  const heap0 = await heapAfterGc();
  const cpu0 = cpuSeconds();
  const rate = await createAll(sim.fetch, IN_PROCESS_BASE_URL, sim);
  const cpu = cpuSeconds() - cpu0;
  report({ name: "metal_sim in-process creates", value: rate, unit: "devices/s", goal: ">= 2000 devices/s" });
  report({ name: "metal_sim in-process CPU per create", value: (cpu * 1e6) / DEVICES, unit: "µs" });
  if (gc) {
    const perDevice = ((await heapAfterGc()) - heap0) / DEVICES / 1024;
    report({ name: "metal_sim heap per device (2 KiB userdata)", value: perDevice, unit: "KiB", goal: "< 16 KiB" });
  }
  report({
    name: "metal_sim in-process list 5000 (5 pages of 1000)",
    value: await listAll(sim.fetch, IN_PROCESS_BASE_URL, sim),
    unit: "ms",
    goal: "< 1000 ms",
  });
  report({
    name: "metal_sim in-process GET /devices/{id}",
    value: await getMany(sim.fetch, IN_PROCESS_BASE_URL, sim),
    unit: "µs/call",
  });
}

{
  const sim = newSimulator();
  const server = await sim.serve();
  try {
    const rate = await createAll(fetch, server.url, sim);
    report({ name: "metal_sim loopback HTTP creates", value: rate, unit: "devices/s", goal: ">= 1000 devices/s" });
    report({
      name: "metal_sim loopback HTTP list 5000 (5 pages of 1000)",
      value: await listAll(fetch, server.url, sim),
      unit: "ms",
      goal: "< 2000 ms",
    });
    report({
      name: "metal_sim loopback HTTP GET /devices/{id}",
      value: await getMany(fetch, server.url, sim),
      unit: "µs/call",
    });
  } finally {
    await server.stop();
  }
}
report({ name: "metal_sim peak RSS", value: peakRssMb(), unit: "MB", goal: "< 500 MB" });
