/**
 * Overhead of the Metal client per call, against a bare `fetch` to the same loopback server (the Metal simulator
 * over HTTP): same endpoint, same body, N sequential calls each, alternating call by call; medians, because the
 * machine is shared. The bare side does the least a caller must do: fetch, read and JSON-parse the body.
 * The client adds headers, a timeout timer, metrics, error classification and zod validation of the answer.
 *
 * Run: `deno task bench metal_client`.
 */
import { FakeClock } from "../../src/runtime/clock.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalSimulator } from "../../src/sim/metal/mod.ts";
import { machineDescription, report } from "./report.ts";

const GETS = 3_000;
const CREATES = 600;
const LIST_DEVICES = 1_000;
const LISTS = 30;

/**
 * Runs `a` and `b` `n` times each, alternating call by call (the order flips every call) so that load from other
 * processes hits both sides alike; returns the median milliseconds per call of each.
 */
async function alternating(
  n: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  const timed = async (fn: (i: number) => Promise<unknown>, i: number, out: number[]) => {
    const start = performance.now();
    await fn(i);
    out.push(performance.now() - start);
  };
  for (let i = 0; i < n; i++) {
    if (i % 2) {
      await timed(a, i, ta);
      await timed(b, i, tb);
    } else {
      await timed(b, i, tb);
      await timed(a, i, ta);
    }
  }
  return [median(ta), median(tb)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
}

function reportPair(what: string, clientMs: number, bareMs: number, unit: "µs" | "ms", goal?: string): void {
  const f = unit === "µs" ? 1000 : 1;
  report({ name: `${what}: bare fetch`, value: bareMs * f, unit: `${unit}/call` });
  report({ name: `${what}: MetalClient`, value: clientMs * f, unit: `${unit}/call` });
  report({ name: `${what}: client overhead`, value: (clientMs - bareMs) * f, unit: `${unit}/call`, goal });
}

const sim = new MetalSimulator({ clock: new FakeClock(), randomSeed: 3 });
sim.setCapacity("ny", "c3.small.x86", "unlimited");
const { url, stop } = await sim.serve();
const project = sim.defaultProjectId;
const token = sim.defaultToken;
const client = new MetalClient({ token, baseUrl: url });
const headers = { "X-Auth-Token": token, "Accept": "application/json" };

console.log(`Machine: ${machineDescription()}`);
try {
  const createInput = (i: number) => ({
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: `shoot--bench--c1-worker-z1-${i}`,
    billing_cycle: "hourly" as const,
    userdata: "#cloud-config\n" + "x".repeat(2048),
    tags: ["kubernetes.io/cluster/shoot--bench--c1", "kubernetes.io/role/node"],
  });
  for (let i = 0; i < LIST_DEVICES; i++) await client.devices.create(project, createInput(i));
  const ids = (await client.devices.listByProject(project)).map((d) => d.id);

  // Warm up both paths (JIT, connection pool).
  for (let i = 0; i < 300; i++) {
    await client.devices.get(ids[i % ids.length]);
    await (await fetch(`${url}/devices/${ids[i % ids.length]}`, { headers })).json();
  }

  const [getClient, getBare] = await alternating(
    GETS,
    (i) => client.devices.get(ids[i % ids.length]),
    async (i) => {
      const res = await fetch(`${url}/devices/${ids[i % ids.length]}`, { headers });
      if (res.status !== 200) throw new Error(`GET ${res.status}`);
      return await res.json();
    },
  );
  reportPair("GET /devices/{id}", getClient, getBare, "µs", "< 250 µs");

  const postHeaders = { ...headers, "Content-Type": "application/json" };
  const [createClient, createBare] = await alternating(
    CREATES,
    (i) => client.devices.create(project, createInput(100_000 + i)),
    async (i) => {
      const res = await fetch(`${url}/projects/${project}/devices`, {
        method: "POST",
        headers: postHeaders,
        body: JSON.stringify(createInput(200_000 + i)),
      });
      if (res.status !== 201) throw new Error(`POST ${res.status}`);
      return await res.json();
    },
  );
  reportPair("POST /projects/{id}/devices", createClient, createBare, "µs", "< 1,000 µs");

  // A page of 1,000 devices: the client validates every device with zod.
  const listSim = new MetalSimulator({ clock: new FakeClock(), randomSeed: 4 });
  listSim.setCapacity("ny", "c3.small.x86", "unlimited");
  const listServer = await listSim.serve();
  try {
    const listClient = new MetalClient({ token: listSim.defaultToken, baseUrl: listServer.url });
    for (let i = 0; i < LIST_DEVICES; i++) await listClient.devices.create(listSim.defaultProjectId, createInput(i));
    const listUrl = `${listServer.url}/projects/${listSim.defaultProjectId}/devices?page=1&per_page=1000`;
    const listHeaders = { ...headers, "X-Auth-Token": listSim.defaultToken };
    const [listClientMs, listBareMs] = await alternating(
      LISTS,
      async () => {
        const all = await listClient.devices.listByProject(listSim.defaultProjectId);
        if (all.length !== LIST_DEVICES) throw new Error(`listed ${all.length}`);
      },
      async () => {
        const json = await (await fetch(listUrl, { headers: listHeaders })).json();
        if (json.devices.length !== LIST_DEVICES) throw new Error(`listed ${json.devices.length}`);
      },
    );
    reportPair("list 1,000 devices (one page)", listClientMs, listBareMs, "ms", "< 150 ms");
  } finally {
    await listServer.stop();
  }
} finally {
  sim.close();
  await stop();
}
