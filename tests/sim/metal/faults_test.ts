/** Fault injection: 5xx bodies, 429 bursts with rate headers, latency, timeouts, lost responses, seeded choices. */
import assert from "node:assert/strict";
import { yieldToEventLoop } from "../../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL } from "../../../src/sim/metal/mod.ts";
import { createDevice, setup, workerBody } from "./helpers.ts";

const OH_SNAP =
  "Oh snap, something went wrong! We've logged the error and will take a look - please reach out to us if you continue having trouble.";

Deno.test("faults: 500 with the API's JSON body, 502/503 with HTML from the load balancer, then normal service", async () => {
  const { sim, api } = setup();
  const d = await createDevice(api, sim.defaultProjectId);
  sim.faults.add({ method: "GET", endpoint: "/devices/{id}", status: 500, times: 1 });
  sim.faults.add({ method: "GET", endpoint: "/projects/{id}/devices", status: 502, times: 1 });
  sim.faults.add({ endpoint: "/projects/{id}/devices", status: 503, retryAfterSeconds: 30, times: 1 });
  const r500 = await api.get(`/devices/${d.id}`);
  assert.equal(r500.status, 500);
  assert.deepEqual(r500.body, { errors: [OH_SNAP] });
  assert.ok(r500.headers.get("x-request-id"));
  assert.equal((await api.get(`/devices/${d.id}`)).status, 200, "times: 1");
  const r502 = await api.get(`/projects/${sim.defaultProjectId}/devices`);
  assert.equal(r502.status, 502);
  assert.equal(r502.headers.get("content-type"), "text/html");
  assert.match(r502.body, /<html>.*502 Bad Gateway/);
  assert.equal(r502.headers.get("x-request-id"), null, "not an API error");
  const r503 = await api.get(`/projects/${sim.defaultProjectId}/devices`);
  assert.equal(r503.status, 503);
  assert.equal(r503.headers.get("retry-after"), "30");
  assert.equal((await api.get(`/projects/${sim.defaultProjectId}/devices`)).status, 200);
  const c = sim.counters.snapshot();
  assert.equal(c["GET /devices/{id} 500"], 1);
  assert.equal(c["GET /devices/{id} 200"], 1);
  assert.equal(c["GET /projects/{id}/devices 502"], 1);
  assert.equal(c["GET /projects/{id}/devices 503"], 1);
  assert.equal(sim.faults.snapshot()["500 GET /devices/{id}"], 1);
});

Deno.test("faults: a 429 burst carries Retry-After and X-RateLimit-*; injected errors have no effect", async () => {
  const { sim, clock, api } = setup();
  sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", status: 429, retryAfterSeconds: 2, times: 3 });
  for (let i = 0; i < 3; i++) {
    const r = await api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody());
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "2");
    assert.equal(r.headers.get("x-ratelimit-remaining"), "0");
    assert.ok(Number(r.headers.get("x-ratelimit-limit")) > 0);
    assert.equal(Number(r.headers.get("x-ratelimit-reset")), Math.ceil(clock.now() / 1000) + 2);
  }
  assert.equal(sim.devices().length, 0);
  assert.equal((await api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody())).status, 201);
});

Deno.test("faults: the per-token rate limit counts requests in a window and answers 429 beyond it", async () => {
  const { sim, clock, api } = setup();
  sim.faults.rateLimit({ limit: 3, windowMs: 60_000 });
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await api.get("/locations/metros");
    assert.equal(r.status, 200);
    remaining.push(r.headers.get("x-ratelimit-remaining")!);
    assert.equal(r.headers.get("x-ratelimit-limit"), "3");
  }
  assert.deepEqual(remaining, ["2", "1", "0"]);
  const limited = await api.get("/locations/metros");
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await api.get("/locations/metros", sim.seed.tokens[1].token)).status, 200, "per token");
  await clock.advance(60_000);
  assert.equal((await api.get("/locations/metros")).status, 200);
  sim.faults.rateLimit(undefined);
  assert.equal((await api.get("/locations/metros")).headers.get("x-ratelimit-limit"), null);
});

Deno.test("faults: latency is taken from the simulator's clock", async () => {
  const { sim, clock, api } = setup();
  const remove = sim.faults.add({ endpoint: "/locations/metros", latencyMs: 5_000 });
  let done = false;
  const pending = api.get("/locations/metros").then((r) => {
    done = true;
    return r;
  });
  await clock.advance(4_999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal((await pending).status, 200);
  remove();
  assert.equal((await api.get("/locations/metros")).status, 200);
});

Deno.test("faults: a timeout hangs until the client aborts; with after-effect the request took effect", async () => {
  const { sim } = setup();
  const url = `${IN_PROCESS_BASE_URL}/projects/${sim.defaultProjectId}/devices`;
  const post = (signal: AbortSignal) =>
    sim.fetch(url, {
      method: "POST",
      headers: { "X-Auth-Token": sim.defaultToken, "Content-Type": "application/json" },
      body: JSON.stringify(workerBody()),
      signal,
    });
  sim.faults.add({ endpoint: "/projects/{id}/devices", timeout: true, times: 1 });
  const ac = new AbortController();
  let settled = false;
  const first = post(ac.signal).finally(() => (settled = true));
  for (let i = 0; i < 5; i++) await yieldToEventLoop();
  assert.equal(settled, false);
  ac.abort();
  await assert.rejects(first, (e: Error) => e.name === "AbortError");
  assert.equal(sim.devices().length, 0, "a plain timeout never reached the API");

  sim.faults.add({ endpoint: "/projects/{id}/devices", timeout: "after-effect", times: 1 });
  const ac2 = new AbortController();
  const second = post(ac2.signal);
  for (let i = 0; i < 5; i++) await yieldToEventLoop();
  ac2.abort();
  await assert.rejects(second, (e: Error) => e.name === "AbortError");
  assert.equal(sim.devices().length, 1, "the create happened although the client saw a timeout");
  assert.equal(sim.counters.snapshot()["POST /projects/{id}/devices timeout"], 2);

  // Like fetch, an already aborted signal rejects before anything reaches the API.
  const gone = new AbortController();
  gone.abort();
  await assert.rejects(post(gone.signal), (e: Error) => e.name === "AbortError");
  assert.equal(sim.devices().length, 1);

  // close() releases whatever still hangs.
  sim.faults.add({ endpoint: "/projects/{id}/devices", timeout: true, times: 1 });
  const third = post(new AbortController().signal);
  for (let i = 0; i < 5; i++) await yieldToEventLoop();
  sim.close();
  await assert.rejects(third, (e: Error) => e.name === "AbortError");
});

Deno.test("faults: a lost response applies the request, then the in-process fetch rejects with a TypeError", async () => {
  const { sim, api } = setup();
  sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
  await assert.rejects(api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody()), TypeError);
  const devices = sim.devices();
  assert.equal(devices.length, 1, "the device exists although the client never saw it");
  assert.deepEqual(devices[0].tags, workerBody().tags);
  assert.equal(sim.counters.snapshot()["POST /projects/{id}/devices lost"], 1);
  // A client that re-finds by tag before retrying sees it (what the driver's dedupe does).
  const found = await api.get(
    `/projects/${sim.defaultProjectId}/devices?tag=${encodeURIComponent("kubernetes.io/cluster/shoot--dev--c1")}`,
  );
  assert.equal(found.body.devices.length, 1);
});

Deno.test("faults: a late commit keeps the created device from GET and listings until the delay has passed", async () => {
  const { sim, clock, api } = setup();
  sim.faults.add({
    method: "POST",
    endpoint: "/projects/{id}/devices",
    loseResponse: true,
    lateCommitMs: 15_000,
    times: 1,
  });
  await assert.rejects(api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody()), TypeError);
  const [device] = sim.devices();
  assert.ok(device, "the create took effect");
  const listed = async () =>
    (await api.get(`/projects/${sim.defaultProjectId}/devices?hostname=${workerBody().hostname}`)).body.devices.length;
  assert.equal(await listed(), 0, "not listed while being committed");
  assert.equal((await api.get(`/devices/${device.id}`)).status, 404);
  await clock.advance(14_000);
  assert.equal(await listed(), 0);
  await clock.advance(1_000);
  assert.equal(await listed(), 1, "listed once committed");
  assert.equal((await api.get(`/devices/${device.id}`)).status, 200);
  assert.equal(sim.faults.snapshot()["late-commit POST /projects/{id}/devices"], 1);
  // A create without the fault is visible at once.
  await api.post(`/projects/${sim.defaultProjectId}/devices`, { ...workerBody(), hostname: "other" });
  assert.equal(sim.devices().length, 2);
  assert.throws(() => sim.faults.add({ loseResponse: true, lateCommitMs: -1 }), RangeError);

  // The same after a timeout that took effect.
  sim.faults.add({ endpoint: "/projects/{id}/devices", timeout: "after-effect", lateCommitMs: 15_000, times: 1 });
  const ac = new AbortController();
  const hung = sim.fetch(`${IN_PROCESS_BASE_URL}/projects/${sim.defaultProjectId}/devices`, {
    method: "POST",
    headers: { "X-Auth-Token": sim.defaultToken, "Content-Type": "application/json" },
    body: JSON.stringify({ ...workerBody(), hostname: "timed-out" }),
    signal: ac.signal,
  });
  for (let i = 0; i < 5; i++) await yieldToEventLoop();
  ac.abort();
  await assert.rejects(hung, (e: Error) => e.name === "AbortError");
  assert.equal(sim.devices().length, 3, "created");
  const named = async () => (await api.get(`/projects/${sim.defaultProjectId}/devices?hostname=timed-out`)).body;
  assert.equal((await named()).devices.length, 0);
  await clock.advance(15_000);
  assert.equal((await named()).devices.length, 1);
});

Deno.test("faults: probability, skip and seed make the pattern of affected requests reproducible", async () => {
  const pattern = async (faultSeed?: number) => {
    const { sim, api } = setup();
    if (faultSeed !== undefined) sim.faults.seed(faultSeed);
    sim.faults.add({ endpoint: "/plans", status: 500, probability: 0.5, skip: 2 });
    const out: number[] = [];
    for (let i = 0; i < 40; i++) out.push((await api.get("/plans")).status);
    return out;
  };
  const a = await pattern();
  assert.deepEqual(await pattern(), a, "same randomSeed, same faults");
  assert.deepEqual(a.slice(0, 2), [200, 200], "skip lets the first two through");
  const failures = a.filter((s) => s === 500).length;
  assert.ok(failures > 8 && failures < 30, `about half fail, got ${failures}`);
  assert.deepEqual(await pattern(5), await pattern(5));
  assert.throws(() => setup().sim.faults.add({ probability: 2 }), /probability/);
});
