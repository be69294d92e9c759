import assert from "node:assert/strict";
import { Checks, startProbeServer } from "../../src/observability/probes.ts";
import { parseListenAddress } from "../../src/observability/listen_address.ts";
import { counter, Registry } from "../../src/observability/metrics.ts";
import { REDACTED, registerSecret } from "../../src/observability/redact.ts";

Deno.test("probe server: healthz, readyz gated by checks, metrics in Prometheus text format", async () => {
  const registry = new Registry();
  const readiness = new Checks();
  let synced = false;
  readiness.add("informers", () => synced || "caches not synced");
  const requests = counter({ name: "test_requests_total", help: "test", labelNames: ["code"] }, registry);
  requests.inc({ code: "200" }, 3);
  const server = await startProbeServer({ addresses: ["127.0.0.1:0"], readiness, registry });
  try {
    const base = server.urls[0];
    assert.equal((await (await fetch(`${base}/healthz`)).text()).trim(), "ok");
    const notReady = await fetch(`${base}/readyz?verbose`);
    assert.equal(notReady.status, 503);
    assert.match(await notReady.text(), /informers: caches not synced/);
    synced = true;
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    await ready.body?.cancel();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^test_requests_total\{code="200"\} 3$/m);
    assert.match(metrics, /^process_resident_memory_bytes [1-9]\d*$/m);
    assert.match(metrics, /^process_cpu_seconds_total \d/m);
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("metric helpers return the existing metric instead of failing on re-registration", () => {
  const registry = new Registry();
  const a = counter({ name: "dup_total", help: "h" }, registry);
  const b = counter({ name: "dup_total", help: "h" }, registry);
  assert.equal(a, b);
});

Deno.test("listen addresses parse like Go's host:port", () => {
  assert.deepEqual(parseListenAddress(":8080"), { hostname: "0.0.0.0", port: 8080 });
  assert.deepEqual(parseListenAddress("127.0.0.1:0"), { hostname: "127.0.0.1", port: 0 });
  assert.deepEqual(parseListenAddress("[::1]:10259"), { hostname: "::1", port: 10259 });
  assert.throws(() => parseListenAddress("localhost"), /invalid listen address "localhost"/);
  assert.throws(() => parseListenAddress(":70000"), /port out of range/);
});

Deno.test("probe server: a verbose failure passes through the redactor (a check may quote an error with a secret)", async () => {
  const token = "probe-secret-token-4711-abcdef";
  registerSecret(token);
  const health = new Checks();
  health.add("metal", () => `Metal API rejected token ${token}`);
  const server = await startProbeServer({ addresses: ["127.0.0.1:0"], health, registry: new Registry() });
  try {
    const body = await (await fetch(`${server.urls[0]}/healthz?verbose`)).text();
    assert.ok(!body.includes(token), body);
    assert.ok(body.includes(`metal: Metal API rejected token ${REDACTED}`), body);
  } finally {
    await server.shutdown();
  }
});
