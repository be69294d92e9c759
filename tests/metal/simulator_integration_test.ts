/**
 * The client against the Metal API simulator, in-process and over loopback HTTP: the device lifecycle end to end,
 * reservations, and the simulator's faults (lost create responses, rate limits, load-balancer 5xx) handled the way
 * the client promises.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../src/runtime/clock.ts";
import { MetalClient } from "../../src/metal/client.ts";
import {
  MetalCapacityExhaustedError,
  MetalNetworkError,
  MetalNotFoundError,
  MetalReservationUnavailableError,
} from "../../src/metal/errors.ts";
import { Registry } from "../../src/observability/metrics.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../src/sim/metal/mod.ts";
import type { Device } from "../../src/metal/types.ts";

const retry = {
  maxAttempts: 5,
  maxElapsedMs: 120_000,
  backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
};

function setup(opts: { baseUrl?: string } = {}) {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 4242 });
  const client = new MetalClient({
    token: sim.defaultToken,
    baseUrl: opts.baseUrl ?? IN_PROCESS_BASE_URL,
    fetch: opts.baseUrl ? undefined : sim.fetch,
    clock,
    retry,
    metricsRegistry: new Registry(),
  });
  return { clock, sim, client, project: sim.defaultProjectId };
}

const TAG = "kubernetes.io/cluster/shoot--dev--it";
const input = (hostname: string) => ({
  metro: "ny",
  plan: "c3.small.x86",
  operating_system: "flatcar_stable",
  hostname,
  billing_cycle: "hourly" as const,
  userdata: "#cloud-config\n",
  tags: [TAG, "kubernetes.io/role/node"],
});

/** Polls `get` on the fake clock until the device reaches `state` (bounded). */
async function pollUntil(client: MetalClient, clock: FakeClock, id: string, state: string): Promise<Device> {
  for (let i = 0; i < 120; i++) {
    const d = await client.devices.get(id);
    if (d.state === state) return d;
    await clock.advance(1_000);
  }
  throw new Error(`device ${id} never reached ${state}`);
}

Deno.test("simulator: create → poll until active → list by tag → delete → 404", async () => {
  const { clock, client, project } = setup();
  const created = await client.devices.create(project, input("it-worker-1"), {
    include: ["ip_addresses.parent_block"],
  });
  assert.equal(created.state, "queued");
  assert.equal(created.metro?.code, "ny");
  const active = await pollUntil(client, clock, created.id, "active");
  const priv = active.ip_addresses?.find((a) => a.public === false && a.address_family === 4);
  assert.ok(priv, "a private IPv4 once active");

  await client.devices.create(project, { ...input("other"), tags: ["unrelated"] });
  const tagged = await client.devices.listByProject(project, { tag: TAG, perPage: 1 });
  assert.deepEqual(tagged.map((d) => d.id), [created.id]);
  const activeOnly = await client.devices.listByProject(project, { states: ["active"] });
  assert.deepEqual(activeOnly.map((d) => d.id), [created.id]);

  await client.devices.delete(created.id);
  await clock.advance(60_000);
  const err = await client.devices.get(created.id).catch((e) => e);
  assert.ok(err instanceof MetalNotFoundError, String(err));
  assert.deepEqual(await client.devices.listByProject(project, { tag: TAG }), []);
});

Deno.test("simulator: a lost create response with dedupe yields exactly one device", async () => {
  const { clock, sim, client, project } = setup();
  sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
  let lookups = 0;
  const result = client.devices.create(project, input("it-lost-1"), {
    dedupe: async () => {
      lookups++;
      const found = await client.devices.listByProject(project, { hostname: "it-lost-1" });
      return found.find((d) => d.hostname === "it-lost-1");
    },
  });
  for (let i = 0; i < 5 && lookups === 0; i++) await clock.advance(1_000);
  const d = await result;
  assert.equal(lookups, 1);
  assert.equal(d.hostname, "it-lost-1");
  assert.equal(sim.devices({ projectId: project }).filter((x) => x.hostname === "it-lost-1").length, 1);
});

Deno.test("simulator: a lost create response without dedupe is an error, and the device exists once", async () => {
  const { sim, client, project } = setup();
  sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
  const err = await client.devices.create(project, input("it-lost-2")).catch((e) => e);
  assert.ok(err instanceof MetalNetworkError);
  assert.equal(err.outcomeUnknown, true);
  assert.equal(sim.devices({ projectId: project }).filter((x) => x.hostname === "it-lost-2").length, 1);
});

Deno.test("simulator: 429 and load-balancer 503 on reads are retried as the headers say", async () => {
  const { clock, sim, client, project } = setup();
  sim.faults.add({ method: "GET", endpoint: "/projects/{id}/devices", status: 429, retryAfterSeconds: 3, times: 1 });
  sim.faults.add({ method: "GET", endpoint: "/locations/metros", status: 503, times: 1 });
  const listed = client.devices.listByProject(project);
  const metros = client.locations.listMetros();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(clock.pending(), 2, "both calls wait for their retry");
  await clock.advance(999);
  assert.equal(sim.counters.total("GET /locations/metros 200"), 0);
  await clock.advance(1);
  assert.equal(sim.counters.total("GET /locations/metros 200"), 1, "503 retried after the 1 s backoff");
  await clock.advance(1_999);
  assert.equal(sim.counters.total("GET /projects/{id}/devices 200"), 0);
  await clock.advance(1);
  assert.deepEqual(await listed, []);
  assert.ok((await metros).some((m) => m.code === "ny"));
});

Deno.test("simulator: reservations — next-available, a busy one, none left", async () => {
  const { client, project } = setup();
  const free = await client.hardwareReservations.listForProject(project, { provisionableOnly: true });
  const c3 = free.filter((r) => r.plan?.slug === "c3.small.x86");
  assert.ok(c3.length >= 1, "the seed has provisionable c3.small.x86 reservations");
  const onReservation = await client.devices.create(project, {
    ...input("it-res-1"),
    hardware_reservation_id: c3[0].id,
  });
  assert.equal(onReservation.hardware_reservation?.id ?? c3[0].id, c3[0].id);
  const busy = await client.devices.create(project, { ...input("it-res-2"), hardware_reservation_id: c3[0].id })
    .catch((e) => e);
  assert.ok(busy instanceof MetalReservationUnavailableError, String(busy));
  // Use up the rest, then next-available has nothing left.
  for (const r of c3.slice(1)) {
    await client.devices.create(project, { ...input(`it-res-${r.id}`), hardware_reservation_id: r.id });
  }
  const none = await client.devices.create(project, { ...input("it-res-3"), hardware_reservation_id: "next-available" })
    .catch((e) => e);
  assert.ok(none instanceof MetalCapacityExhaustedError, String(none));
  assert.equal(none.reason, "reservations");
});

Deno.test("simulator over loopback HTTP: create (streamed body) → get → delete, SSH keys, capacity", async () => {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 7 });
  const { url, stop } = await sim.serve();
  try {
    const client = new MetalClient({
      token: sim.defaultToken,
      baseUrl: url,
      clock,
      retry,
      metricsRegistry: new Registry(),
    });
    const project = sim.defaultProjectId;
    const key = await client.sshKeys.createForProject(project, {
      label: "it-key",
      key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIj6dmSE1b4c1pvh9KyM3u1k+5XxGAXBjsW4C0SgX4oO it@test",
    });
    const d = await client.devices.create(project, { ...input("it-http-1"), project_ssh_keys: [key.id] });
    assert.equal((await client.devices.get(d.id)).hostname, "it-http-1");
    assert.ok((await client.sshKeys.listForProject(project)).some((k) => k.id === key.id));
    const report = await client.capacity.getMetros();
    assert.ok(report.ny, "capacity lists ny");
    const [check] = await client.capacity.checkMetros([{ metro: "ny", plan: "c3.small.x86", quantity: 1 }]);
    assert.equal(check.available, true);
    await client.devices.delete(d.id);
    await client.sshKeys.delete(key.id);
    assert.equal(sim.devices({ projectId: project }).filter((x) => x.hostname === "it-http-1").length, 0);
  } finally {
    sim.close();
    await stop();
  }
});
