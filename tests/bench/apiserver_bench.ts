/**
 * The fake Kubernetes API server under load, in-process over HTTPS loopback (the server's CA, bearer token):
 * - creates/s of ConfigMaps (~1 KB each) with a fixed number of concurrent requests;
 * - LIST of 10,000 objects in one response (time, size) and in pages of 500;
 * - watch fan-out: 100 watchers open, N objects created, time until every watcher received all N events.
 *
 * Run: `deno task bench apiserver`.
 */
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { cpuSeconds, machineDescription, peakRssMb, report } from "./report.ts";

const OBJECTS = 10_000;
const CONCURRENCY = 16;
const WATCHERS = 100;
const WATCH_EVENTS = 1_000;

configureLogging({ level: "error" });
console.log(`machine: ${machineDescription()}`);

const api = await startApiServer({ watchHistory: 20_000, watchQueueLimit: 50_000 });
const client = Deno.createHttpClient({ caCerts: [api.caPem!] });
const headers = { authorization: `Bearer ${api.token}`, "content-type": "application/json" };
const base = `${api.url}/api/v1/namespaces/default/configmaps`;

function configMap(name: string) {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      labels: { "app.kubernetes.io/name": "bench", "worker.gardener.cloud/pool": "pool-a" },
      annotations: { "checksum/config": "3f2a9c".repeat(10) },
    },
    data: { "config.yaml": "x".repeat(900) },
  });
}

async function create(name: string): Promise<void> {
  const res = await fetch(base, { method: "POST", headers, body: configMap(name), client });
  if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

async function createMany(prefix: string, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      await create(`${prefix}-${String(i).padStart(5, "0")}`);
    }
  }));
  return (performance.now() - start) / 1000;
}

// Warm-up (TLS session, JIT) outside the measurement.
await createMany("warmup", 200, CONCURRENCY);
await fetch(`${base}?labelSelector=nothing%3Dhere`, { headers, client }).then((r) => r.body?.cancel());

// 1. Creates per second.
const cpuBefore = cpuSeconds();
const createSeconds = await createMany("bench", OBJECTS, CONCURRENCY);
report({
  name: `fake apiserver creates/s (HTTPS, ${CONCURRENCY} concurrent, ~1 KB ConfigMaps)`,
  value: OBJECTS / createSeconds,
  unit: "creates/s",
  goal: "> 1000 creates/s",
});
report({ name: "CPU per create", value: ((cpuSeconds() - cpuBefore) / OBJECTS) * 1e6, unit: "µs" });

// 2. LIST of 10k objects (plus the 200 warm-up ones), full and paginated.
const listTimes: number[] = [];
let listBytes = 0;
let listItems = 0;
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const res = await fetch(`${base}?labelSelector=${encodeURIComponent("worker.gardener.cloud/pool=pool-a")}`, {
    headers,
    client,
  });
  const body = await res.arrayBuffer();
  listTimes.push(performance.now() - start);
  listBytes = body.byteLength;
  listItems = (JSON.parse(new TextDecoder().decode(body)) as { items: unknown[] }).items.length;
}
listTimes.sort((a, b) => a - b);
if (listItems !== OBJECTS + 200) throw new Error(`list returned ${listItems} items`);
report({
  name: `LIST ${listItems} objects, one response (median of 5)`,
  value: listTimes[2],
  unit: "ms",
  goal: "< 1000 ms",
});
report({ name: `LIST ${listItems} objects, response size`, value: listBytes / 1048576, unit: "MiB" });

const pagedStart = performance.now();
let pages = 0;
let seen = 0;
let cont = "";
do {
  const res = await fetch(`${base}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, {
    headers,
    client,
  });
  const page = await res.json() as { items: unknown[]; metadata: { continue?: string } };
  seen += page.items.length;
  cont = page.metadata.continue ?? "";
  pages++;
} while (cont);
if (seen !== OBJECTS + 200) throw new Error(`paginated list saw ${seen} items`);
report({ name: `LIST ${seen} objects in ${pages} pages of 500`, value: performance.now() - pagedStart, unit: "ms" });

// 3. Watch fan-out: 100 watchers from the current resourceVersion, then N creates.
const rv =
  ((await (await fetch(`${base}?limit=1`, { headers, client })).json()) as { metadata: { resourceVersion: string } })
    .metadata.resourceVersion;
const counts = new Array<number>(WATCHERS).fill(0);
const readers: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
let doneAt = 0;
const allDone = Promise.withResolvers<void>();
let finished = 0;
for (let w = 0; w < WATCHERS; w++) {
  const res = await fetch(`${base}?watch=true&resourceVersion=${rv}`, { headers, client });
  const reader = res.body!.getReader();
  readers.push(reader);
  (async () => {
    let newlineCount = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) newlineCount++;
      counts[w] = newlineCount;
      if (newlineCount === WATCH_EVENTS) {
        if (++finished === WATCHERS) {
          doneAt = performance.now();
          allDone.resolve();
        }
      }
    }
  })();
}
const fanStart = performance.now();
await createMany("watched", WATCH_EVENTS, CONCURRENCY);
const writesDone = performance.now();
await allDone.promise;
report({
  name: `watch fan-out: ${WATCHERS} watchers received all ${WATCH_EVENTS} events`,
  value: doneAt - fanStart,
  unit: "ms",
  goal: "< 10000 ms",
});
report({ name: `  (of which creating the ${WATCH_EVENTS} objects)`, value: writesDone - fanStart, unit: "ms" });
report({ name: "peak RSS (server and client in one process)", value: peakRssMb(), unit: "MB" });

for (const r of readers) await r.cancel();
await api.stop();
client.close();
