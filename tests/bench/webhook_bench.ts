/**
 * The webhook server under gardenlet-like load, in-process over loopback TLS: `/controlplane` AdmissionReviews of a
 * `machine-controller-manager` Deployment (a stand-in mutation adds one container, so every answer carries a patch)
 * at a fixed 500 requests/s, side by side with two bare HTTPS echo servers with the same certificate and TLS settings
 * (`node:https`, the stack the webhook server uses, and `Deno.serve`); p50/p99 latency and the ratio to each echo.
 * Then the same load while the serving certificate is rotated twice (new CA, clients trusting the old and the new
 * one, connections renewed throughout): failed requests must be 0.
 *
 * Run: `deno task bench webhook`.
 */
import https from "node:https";
import { startWebhookServer } from "../../src/extension/webhook/server.ts";
import type { Mutate, Webhook } from "../../src/extension/webhook/webhook.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { generateServingCertificates, type ServingCertificates } from "../../src/runtime/certificates.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { machineDescription, report } from "./report.ts";

const RATE = 500;
const SECONDS = 4;
const ROUNDS = 6;

configureLogging({ level: "error" });

type Deployment = KubeObject & { spec: { template: { spec: { containers: { name: string }[] } } } };

const addContainer: Mutate = (object) => {
  const d = structuredClone(object) as Deployment;
  const containers = d.spec.template.spec.containers;
  if (!containers.some((c) => c.name === "machine-controller-manager-provider-equinix-metal")) {
    containers.push({
      name: "machine-controller-manager-provider-equinix-metal",
      image: "europe-docker.pkg.dev/gardener-project/releases/gardener/mcm-provider-equinix-metal:v0.8.0",
      args: ["--control-kubeconfig=inClusterConfig", "--namespace=shoot--dev--a", "--port=10259", "--v=3"],
    } as { name: string });
  }
  return Promise.resolve(d);
};

const webhook: Webhook = {
  name: "controlplane",
  path: "/controlplane",
  target: "seed",
  rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }],
  failurePolicy: "Fail",
  mutate: addContainer,
};

/** A gardenlet-shaped MCM Deployment (labels, annotations, one container with args, probes, volumes): ~4 KB. */
function mcmDeployment(): Deployment {
  return <Deployment> {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "machine-controller-manager",
      namespace: "shoot--dev--a",
      labels: {
        app: "kubernetes",
        role: "machine-controller-manager",
        "gardener.cloud/role": "controlplane",
        "high-availability-config.resources.gardener.cloud/type": "controller",
        "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook": "true",
      },
      annotations: { "reference.resources.gardener.cloud/secret-a1b2c3d4": "generic-token-kubeconfig-a1b2c3d4" },
    },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 1,
      selector: { matchLabels: { app: "kubernetes", role: "machine-controller-manager" } },
      template: {
        metadata: { labels: { app: "kubernetes", role: "machine-controller-manager" } },
        spec: {
          serviceAccountName: "machine-controller-manager",
          priorityClassName: "gardener-system-300",
          containers: [{
            name: "machine-controller-manager",
            image: "europe-docker.pkg.dev/gardener-project/releases/gardener/machine-controller-manager:v0.60.0",
            imagePullPolicy: "IfNotPresent",
            command: ["./machine-controller-manager"],
            args: [
              "--control-kubeconfig=inClusterConfig",
              "--delete-migrated-machine-class=true",
              "--machine-safety-apiserver-statuscheck-timeout=30s",
              "--machine-safety-apiserver-statuscheck-period=1m",
              "--machine-safety-orphan-vms-period=30m",
              "--machine-safety-overshooting-period=1m",
              "--namespace=shoot--dev--a",
              "--port=10258",
              "--safety-up=2",
              "--safety-down=1",
              "--target-kubeconfig=/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig/kubeconfig",
              "--concurrent-syncs=30",
              "--kube-api-qps=150",
              "--kube-api-burst=200",
              "--v=3",
            ],
            livenessProbe: {
              httpGet: { path: "/healthz", port: 10258, scheme: "HTTP" },
              initialDelaySeconds: 30,
              timeoutSeconds: 5,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            ports: [{ name: "metrics", containerPort: 10258, protocol: "TCP" }],
            resources: { requests: { cpu: "31m", memory: "70Mi" } },
            securityContext: { allowPrivilegeEscalation: false },
            volumeMounts: [{
              name: "kubeconfig",
              mountPath: "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig",
              readOnly: true,
            }],
          } as { name: string }],
          volumes: [{
            name: "kubeconfig",
            projected: {
              defaultMode: 420,
              sources: [
                {
                  secret: {
                    name: "generic-token-kubeconfig-a1b2c3d4",
                    items: [{ key: "kubeconfig", path: "kubeconfig" }],
                  },
                },
                {
                  secret: { name: "shoot-access-machine-controller-manager", items: [{ key: "token", path: "token" }] },
                },
              ],
            },
          }],
        },
      },
    },
  };
}

const BODY = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "5f1c9c1e-0000-4000-8000-000000000001",
    kind: { group: "apps", version: "v1", kind: "Deployment" },
    resource: { group: "apps", version: "v1", resource: "deployments" },
    requestKind: { group: "apps", version: "v1", kind: "Deployment" },
    namespace: "shoot--dev--a",
    name: "machine-controller-manager",
    operation: "UPDATE",
    userInfo: { username: "system:serviceaccount:garden:gardenlet" },
    object: mcmDeployment(),
    oldObject: mcmDeployment(),
    dryRun: false,
  },
});

function startNodeEcho(certs: ServingCertificates): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ cert: certs.certPem, key: certs.keyPem, minVersion: "TLSv1.2" }, (req, res) => {
    const chunks: Uint8Array[] = [];
    req.on("data", (c: Uint8Array) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { "content-type": "application/json", "content-length": String(body.byteLength) });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }))
  );
}

function startDenoEcho(certs: ServingCertificates) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.certPem, key: certs.keyPem, onListen() {} },
    async (req) => new Response(await req.bytes(), { headers: { "content-type": "application/json" } }),
  );
  return { port: server.addr.port, close: () => server.shutdown() };
}

interface LoadResult {
  latencies: number[];
  failed: number;
  errors: string[];
}

interface LoadRequest {
  port: number;
  caPems: string[];
  seconds: number;
  check?: boolean;
  renewEveryMs?: number;
}

/**
 * In the load worker: sends `RATE` requests per second for `seconds` (open loop: a request is sent when due, whatever
 * the others do) round robin over 4 clients; `renewEveryMs` replaces a client that often, so new connections (and
 * TLS handshakes) keep coming. Latency counts from the due time.
 */
async function load(req: LoadRequest): Promise<LoadResult> {
  const clientFor = () => Deno.createHttpClient({ caCerts: req.caPems });
  const pool = Array.from({ length: 4 }, clientFor);
  const retired: Deno.HttpClient[] = [];
  const total = RATE * req.seconds;
  const interval = 1000 / RATE;
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let lastRenew = start;
  let renewed = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const now = performance.now();
    if (req.renewEveryMs && now - lastRenew >= req.renewEveryMs) {
      lastRenew = now;
      const k = renewed++ % pool.length;
      retired.push(pool[k]);
      pool[k] = clientFor();
    }
    const client = pool[i % pool.length];
    inFlight.push((async () => {
      try {
        const res = await fetch(`https://localhost:${req.port}/controlplane`, {
          method: "POST",
          body: BODY,
          headers: { "content-type": "application/json" },
          client,
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        if (req.check && !JSON.parse(text).response?.patch) throw new Error("no patch in the answer");
        latencies.push(performance.now() - due);
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
      }
    })());
  }
  await Promise.all(inFlight);
  for (const c of [...pool, ...retired]) c.close();
  return { latencies, failed, errors };
}

// The load runs in a worker (its own thread), so that client work does not queue behind the server's on one thread.
const self = globalThis as unknown as { name?: string; onmessage: unknown; postMessage(m: unknown): void };
if (self.name === "webhook-bench-load") {
  self.onmessage = async (e: MessageEvent<LoadRequest>) => self.postMessage(await load(e.data));
}

let worker: Worker | undefined;
function runLoad(req: LoadRequest): Promise<LoadResult> {
  worker ??= new Worker(import.meta.url, { type: "module", name: "webhook-bench-load" });
  return new Promise((resolve) => {
    worker!.onmessage = (e: MessageEvent<LoadResult>) => resolve(e.data);
    worker!.postMessage(req);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

if (self.name !== "webhook-bench-load") {
  console.log(`machine: ${machineDescription()}`);
  const certs = await generateServingCertificates();
  const nodeEcho = await startNodeEcho(certs);
  const denoEcho = startDenoEcho(certs);
  const server = await startWebhookServer({ host: "127.0.0.1", port: 0, webhooks: [webhook], certificate: certs });

  console.log(`load average at the start: ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  // Warm up every server (JIT, TLS sessions).
  for (const port of [nodeEcho.port, denoEcho.port, server.port]) {
    await runLoad({ port, caPems: [certs.caPem], seconds: 2 });
  }

  const runs: Record<string, number[][]> = { webhook: [], "node:https echo": [], "Deno.serve echo": [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (
      const [name, port] of [["webhook", server.port], ["node:https echo", nodeEcho.port], [
        "Deno.serve echo",
        denoEcho.port,
      ]] as const
    ) {
      const r = await runLoad({ port, caPems: [certs.caPem], seconds: SECONDS, check: name === "webhook" });
      if (r.failed) console.log(`${name}: ${r.failed} failed (${r.errors.join("; ")})`);
      runs[name].push(r.latencies);
      console.log(
        `round ${round + 1} ${name}: p50 ${percentile(r.latencies, 0.5).toFixed(2)} ms, p99 ${
          percentile(r.latencies, 0.99).toFixed(2)
        } ms (${r.latencies.length} requests)`,
      );
    }
  }
  // Per server, the median over the rounds of each round's percentile: one noisy round (the machine is shared)
  // does not decide, and the servers take turns so that they see the same conditions.
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const p = (name: string, q: number) => median(runs[name].map((r) => percentile(r, q)));
  const webhookP99 = p("webhook", 0.99);
  report({ name: `webhook /controlplane at ${RATE}/s: p50`, value: p("webhook", 0.5), unit: "ms" });
  report({ name: `webhook /controlplane at ${RATE}/s: p99`, value: webhookP99, unit: "ms", goal: "<= 5 ms" });
  report({ name: `node:https echo at ${RATE}/s: p50`, value: p("node:https echo", 0.5), unit: "ms" });
  report({ name: `node:https echo at ${RATE}/s: p99`, value: p("node:https echo", 0.99), unit: "ms" });
  report({ name: `Deno.serve echo at ${RATE}/s: p50`, value: p("Deno.serve echo", 0.5), unit: "ms" });
  report({ name: `Deno.serve echo at ${RATE}/s: p99`, value: p("Deno.serve echo", 0.99), unit: "ms" });
  report({
    name: "webhook p99 / node:https echo p99 (same TLS stack)",
    value: webhookP99 / p("node:https echo", 0.99),
    unit: "x",
    goal: "<= 1.5",
  });
  report({ name: "webhook p99 / Deno.serve echo p99", value: webhookP99 / p("Deno.serve echo", 0.99), unit: "x" });
  console.log(`load average at the end: ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`);

  // Rotation under load: two new CAs in turn; clients trust all of them (the published bundle during the overlap), and
  // a client is replaced every 50 ms so new handshakes meet each certificate.
  const second = await generateServingCertificates();
  const third = await generateServingCertificates();
  let rotations = 0;
  const rotate = [
    setTimeout(() => (server.setCertificate(second), rotations++), (SECONDS * 1000) / 3),
    setTimeout(() => (server.setCertificate(third), rotations++), (SECONDS * 2000) / 3),
  ];
  const rotation = await runLoad({
    port: server.port,
    caPems: [certs.caPem, second.caPem, third.caPem],
    seconds: SECONDS,
    check: true,
    renewEveryMs: 50,
  });
  rotate.forEach(clearTimeout);
  if (rotation.failed) console.log(`rotation: ${rotation.errors.join("; ")}`);
  report({ name: `requests during ${rotations} certificate rotations`, value: rotation.latencies.length, unit: "ok" });
  report({ name: "failed requests during the rotations", value: rotation.failed, unit: "requests", goal: "0" });
  report({ name: "p99 during the rotations", value: percentile(rotation.latencies, 0.99), unit: "ms" });

  await server.shutdown();
  await nodeEcho.close();
  await denoEcho.close();
  worker?.terminate();
}
