/**
 * Shoot admission under load: AdmissionReviews for a Shoot with 5 worker pools posted over HTTPS to the admission at a
 * fixed 200 requests/s (open loop: each request leaves on schedule, whether or not the earlier ones were answered),
 * the admission reading the CloudProfile from the fake garden for each review (uncached, as in production). Reports the
 * latency percentiles and the achieved rate; also the pure rule time per Shoot (`validateShoot`, no I/O).
 *
 * Run: `deno task bench admission` (BENCH_ADMISSION_SECONDS changes the 20 s of load).
 */
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { generateServingCertificates } from "../../src/runtime/certificates.ts";
import { startAdmission } from "../../src/admission/app.ts";
import { validateShoot } from "../../src/admission/shoot.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "../../src/playground/crds.ts";
import { CoreGardenerV1beta1 } from "../../src/k8s/api/resources.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { cloudProfile, profileSpec, shoot } from "../admission/fixtures.ts";
import { machineDescription, report } from "./report.ts";

const RATE = 200;
const SECONDS = Number(Deno.env.get("BENCH_ADMISSION_SECONDS") ?? 20);
const POOLS = 5;

configureLogging({ level: "error" });
console.log(`machine: ${machineDescription()}`);

function bigShoot() {
  const s = shoot();
  const pool = s.spec.provider.workers![0];
  s.spec.provider.workers = Array.from({ length: POOLS }, (_, i) => ({
    ...structuredClone(pool),
    name: `pool-${i}`,
    zones: ["da11", "da12"],
  }));
  return s;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

// Pure rules.
{
  const s = bigShoot();
  const profile = profileSpec();
  for (let i = 0; i < 2_000; i++) validateShoot(s, profile);
  const n = 20_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) validateShoot(s, profile);
  report({ name: `validateShoot, ${POOLS} pools (pure)`, value: ((performance.now() - start) / n) * 1000, unit: "µs" });
}

const garden = await startApiServer({ namespaces: ["default", "garden", "garden-dev"] });
await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
{
  using client = new KubeClient(garden.connection());
  await client.create(CoreGardenerV1beta1.cloudProfiles, cloudProfile());
}
const certs = await generateServingCertificates();
const admission = await startAdmission({
  options: {
    webhookClient: { mode: "url", url: "https://127.0.0.1:1" },
    serverAddress: "127.0.0.1:0",
    certNamespace: "garden",
    registerWebhooks: false,
    probeAddresses: [],
  },
  connection: garden.connection(),
  tls: certs,
});
const http = Deno.createHttpClient({ caCerts: [certs.caPem] });
const object = bigShoot();
// Serialised once: the load generator shares the process and must cost as little as it can.
const template = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "UID",
    kind: { group: "core.gardener.cloud", version: "v1beta1", kind: "Shoot" },
    resource: { group: "core.gardener.cloud", version: "v1beta1", resource: "shoots" },
    operation: "CREATE",
    name: "demo",
    namespace: "garden-dev",
    object,
  },
});
const [head, tail] = template.split('"UID"');
const body = (i: number) => `${head}"u-${i}"${tail}`;
const post = async (i: number) => {
  const resp = await fetch(`${admission.url}/webhooks/validate`, {
    method: "POST",
    body: body(i),
    headers: { "content-type": "application/json" },
    client: http,
  });
  const review = await resp.json() as { response: { allowed: boolean } };
  if (!review.response.allowed) throw new Error(`denied: ${JSON.stringify(review)}`);
};

for (let i = 0; i < 300; i++) await post(i); // warm-up: connections, JIT, caches synced
{
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await post(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  report({ name: "one review at a time: round trip p50", value: percentile(times, 0.5), unit: "ms" });
}

const total = RATE * SECONDS;
const latencies: number[] = [];
let failures = 0;
const t0 = performance.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = t0 + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  inflight.push(
    post(i).then(() => {
      latencies.push(performance.now() - due);
    }, () => {
      failures++;
    }),
  );
}
await Promise.all(inflight);
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
report({ name: "reviews sent", value: total, unit: "" });
report({ name: "achieved rate", value: latencies.length / elapsed, unit: "reviews/s", goal: `${RATE}` });
report({ name: "failed reviews", value: failures, unit: "", goal: "0" });
report({ name: "latency p50", value: percentile(latencies, 0.5), unit: "ms" });
report({ name: "latency p99", value: percentile(latencies, 0.99), unit: "ms", goal: "< 50 ms" });
report({ name: "latency max", value: latencies.at(-1) ?? 0, unit: "ms" });

http.close();
await admission.stop();
await garden.stop();
