/**
 * Informer memory per 10k objects: 10,000 ConfigMaps of realistic size (labels, annotations, ~1.2 KB of data) are
 * created in the fake API server, which runs as a separate process (`provider-equinix-metal apiserver`) so that its
 * own store does not count; then an informer lists and watches them, and the heap/RSS growth after GC is reported.
 *
 * Run: `deno task bench informer_memory` (passes --v8-flags=--expose-gc).
 */
import { KubeClient } from "../../src/k8s/client/client.ts";
import { Informer } from "../../src/k8s/cache/informer.ts";
import { loadConnection } from "../../src/k8s/client/kubeconfig.ts";
import { CoreV1 } from "../../src/k8s/api/resources.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { machineDescription, report } from "./report.ts";

const OBJECTS = 10_000;
const CONCURRENCY = 32;
const NAMESPACE = "default";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with --v8-flags=--expose-gc (deno task bench does)");
  Deno.exit(2);
}

async function settledMemory(): Promise<{ heapMb: number; rssMb: number }> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = Deno.memoryUsage();
  if (Deno.env.get("BENCH_DEBUG")) console.log(JSON.stringify(m));
  return { heapMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576 };
}

function configMap(i: number) {
  const pad = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
  return {
    metadata: {
      name: `bench-cm-${String(i).padStart(5, "0")}`,
      namespace: NAMESPACE,
      labels: {
        "app.kubernetes.io/name": "provider-equinix-metal",
        "app.kubernetes.io/component": `pool-${i % 20}`,
        "worker.gardener.cloud/pool": `pool-${i % 20}`,
      },
      annotations: {
        "checksum/config": pad("3f2a9c", 64),
        "gardener.cloud/description": "bench object",
      },
    },
    data: {
      "config.yaml": pad("key: value\n", 700),
      "cloud-config": pad("#cloud-config\nruncmd: []\n", 400),
      "pool": `pool-${i % 20}`,
      "index": String(i),
    },
  };
}

async function startApiServerProcess(): Promise<{ kubeconfig: string; stop: () => Promise<void> }> {
  const main = new URL("../../src/main.ts", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "informer-bench-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "apiserver", "--kubeconfig-out", `${dir}/kubeconfig`],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("kubeconfig:")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`apiserver exited early: ${out}`);
    out += value;
  }
  return {
    kubeconfig: `${dir}/kubeconfig`,
    async stop() {
      child.kill("SIGTERM");
      await reader.cancel().catch(() => {});
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Measures one informer in this (fresh) process against an API server that already holds the objects. */
async function measure(kubeconfig: string, keepManagedFields: boolean): Promise<void> {
  const client = new KubeClient(await loadConnection({ path: kubeconfig }), { timeoutMs: 120_000 });
  try {
    // Warm up the code paths (TLS, list decoding) so that their one-time cost is not counted as cache memory.
    await client.list(CoreV1.configMaps, { namespace: NAMESPACE, limit: 10 });
    const before = await settledMemory();
    const stop = new AbortController();
    const informer = new Informer(client, CoreV1.configMaps, { namespace: NAMESPACE, keepManagedFields });
    const start = performance.now();
    informer.start(stop.signal);
    await informer.waitForSync();
    const syncSeconds = (performance.now() - start) / 1000;
    if (informer.size() !== OBJECTS) throw new Error(`informer has ${informer.size()} objects, expected ${OBJECTS}`);
    const after = await settledMemory();
    if (Deno.env.get("BENCH_DEBUG")) {
      await new Promise((r) => setTimeout(r, 15_000));
      await settledMemory();
    }
    const variant = keepManagedFields ? " (managedFields kept)" : "";
    report({
      name: `informer heap per 10k ConfigMaps${variant}`,
      value: ((after.heapMb - before.heapMb) * 10_000) / OBJECTS,
      unit: "MB",
      goal: "< 64 MB",
    });
    report({
      name: `informer RSS growth per 10k ConfigMaps${variant}`,
      value: ((after.rssMb - before.rssMb) * 10_000) / OBJECTS,
      unit: "MB",
      goal: "< 128 MB",
    });
    if (!keepManagedFields) {
      report({
        name: "informer initial sync of 10k ConfigMaps (list + index)",
        value: syncSeconds,
        unit: "s",
        goal: "< 5 s",
      });
    }
    stop.abort();
    await informer.stopped();
  } finally {
    client.close();
  }
}

configureLogging({ level: "error" });
const measureArg = Deno.args.indexOf("--measure");
if (measureArg >= 0) {
  await measure(Deno.args[measureArg + 1], Deno.args[measureArg + 2] === "keep");
  Deno.exit(0);
}

const server = await startApiServerProcess();
const client = new KubeClient(await loadConnection({ path: server.kubeconfig }), { timeoutMs: 120_000 });
try {
  const sample = JSON.stringify(configMap(1));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    // A field manager makes the server record managedFields, as kube-apiserver does for every write.
    while (next < OBJECTS) await client.create(CoreV1.configMaps, configMap(next++), { fieldManager: "bench" });
  }));
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const stored = JSON.stringify(await client.get(CoreV1.configMaps, "bench-cm-00001", { namespace: NAMESPACE }));
  console.log(
    `created ${OBJECTS} ConfigMaps in ${seconds} s: ${sample.length} bytes of JSON each as sent, ` +
      `${stored.length} as served (with managedFields)`,
  );
  // Each variant in a fresh process, so that neither the other variant nor this process's writes are counted.
  for (const variant of ["strip", "keep"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--measure",
        server.kubeconfig,
        variant,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`measurement (${variant}) failed`);
  }
  console.log(`machine: ${machineDescription()}`);
} finally {
  client.close();
  await server.stop();
}
