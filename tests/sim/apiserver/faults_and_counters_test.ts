/** Fault injection and request counters. */
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { eventually } from "../../support/eventually.ts";
import { configMap, withApi } from "./api_test_client.ts";

const CM = "/api/v1/namespaces/default/configmaps";

Deno.test("an error rule answers with its status for matching requests, `times` limits it, removal ends it", async () => {
  await withApi(async (api) => {
    const remove = api.server.faults.add({ verb: "create", resource: "configmaps", status: 500, times: 2 });
    const first = await api.post<{ code: number; reason: string }>(CM, configMap("a"));
    assert.equal(first.status, 500);
    assert.equal(first.body.reason, "InternalError");
    assert.equal((await api.post(CM, configMap("a"))).status, 500);
    assert.equal((await api.post(CM, configMap("a"))).status, 201, "the rule is used up");
    assert.equal((await api.post("/api/v1/namespaces/default/secrets", { metadata: { name: "s" } })).status, 201);
    remove();
    const forever = api.server.faults.add({ verb: "get", resource: "configmaps", namespace: "default", status: 503 });
    assert.equal((await api.get(`${CM}/a`)).status, 503);
    assert.equal((await api.get(CM)).status, 200, "list is another verb");
    forever();
    assert.equal((await api.get(`${CM}/a`)).status, 200);
  });
});

Deno.test("forced conflicts are kube Conflict errors; 429 carries Retry-After", async () => {
  await withApi(async (api) => {
    const cm = (await api.post<{ metadata: { resourceVersion: string } }>(CM, configMap("a"))).body;
    api.server.faults.add({ verb: "update", resource: "configmaps", status: 409, times: 1 });
    const conflict = await api.put<{ reason: string; message: string }>(`${CM}/a`, cm);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, "Conflict");
    assert.match(
      conflict.body.message,
      /^Operation cannot be fulfilled on configmaps "a": the object has been modified/,
    );
    api.server.faults.add({ resource: "configmaps", status: 429, retryAfterSeconds: 7, times: 1 });
    const limited = await api.get<{ details: { retryAfterSeconds: number } }>(`${CM}/a`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "7");
    assert.equal(limited.body.details.retryAfterSeconds, 7);
  });
});

Deno.test("status subresource rules match resource/status only", async () => {
  await withApi(async (api) => {
    await api.post("/api/v1/nodes", { metadata: { name: "n" } });
    api.server.faults.add({ resource: "nodes/status", status: 500 });
    const node = (await api.get<{ metadata: { name: string } }>("/api/v1/nodes/n")).body;
    assert.equal((await api.put("/api/v1/nodes/n/status", node)).status, 500);
    assert.equal((await api.put("/api/v1/nodes/n", node)).status, 200);
  });
});

Deno.test("probability with a seed gives a reproducible pattern", async () => {
  const pattern = async (seed: number) => {
    let out = "";
    await withApi(async (api) => {
      api.server.faults.seed(seed);
      api.server.faults.add({ verb: "list", status: 500, probability: 0.5 });
      for (let i = 0; i < 40; i++) out += (await api.get(CM)).status === 500 ? "x" : ".";
    });
    return out;
  };
  const a = await pattern(7);
  assert.equal(await pattern(7), a);
  assert.notEqual(await pattern(8), a);
  const failures = [...a].filter((c) => c === "x").length;
  assert.ok(failures > 5 && failures < 35, `about half fail: ${a}`);
});

Deno.test("latency delays matching requests on the server's clock", async () => {
  const clock = new FakeClock();
  await withApi(async (api) => {
    api.server.faults.add({ verb: "get", latencyMs: 5_000 });
    let done = false;
    const pending = api.get("/api/v1/namespaces/default").then((r) => {
      done = true;
      return r;
    });
    await eventually(() => clock.pending() > 0, { description: "request waiting on the injected latency" });
    await clock.advance(4_000);
    assert.equal(done, false);
    await clock.advance(1_000);
    assert.equal((await pending).status, 200);
  }, { clock });
});

Deno.test("counters count requests by verb and by verb+resource; writes() can exclude resources", async () => {
  await withApi(async (api) => {
    api.server.counters.reset();
    await api.post(CM, configMap("a"));
    const a = (await api.get<{ metadata: { name: string } }>(`${CM}/a`)).body;
    await api.put(`${CM}/a`, a);
    await api.get(CM);
    await api.post("/apis/coordination.k8s.io/v1/namespaces/default/leases", { metadata: { name: "l" } });
    await api.post("/api/v1/nodes", { metadata: { name: "n" } });
    await api.put("/api/v1/nodes/n/status", { metadata: { name: "n" }, status: { phase: "Running" } });
    await api.delete(`${CM}/a`);
    await api.get("/api/v1"); // discovery is not a resource request
    const snap = api.server.counters.snapshot();
    assert.deepEqual(snap.byVerb, { create: 3, get: 1, update: 2, list: 1, delete: 1 });
    assert.deepEqual(snap.byVerbResource, {
      "create configmaps": 1,
      "get configmaps": 1,
      "update configmaps": 1,
      "list configmaps": 1,
      "create leases": 1,
      "create nodes": 1,
      "update nodes/status": 1,
      "delete configmaps": 1,
    });
    assert.equal(api.server.counters.writes(), 6);
    assert.equal(api.server.counters.writes({ excludeResources: ["leases"] }), 5);
    assert.equal(api.server.counters.writes({ excludeResources: ["nodes"] }), 4);
    api.server.counters.reset();
    assert.deepEqual(api.server.counters.snapshot(), { byVerb: {}, byVerbResource: {} });
  });
});
