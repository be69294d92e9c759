/** CreateMachine against the Metal simulator: request body, idempotency, adoption, reservations, facilities. */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { IN_PROCESS_BASE_URL } from "../../../src/sim/metal/mod.ts";
import { MetalClient } from "../../../src/metal/client.ts";
import { CLUSTER_TAG, fixture, idOf, INSTANT_RETRY, ROLE_TAG, USER_DATA } from "./sim_fixture.ts";

function isMachineError(code: string, message?: RegExp) {
  return (err: unknown) => {
    ok(err instanceof MachineError, `expected a MachineError, got ${err}`);
    assertEquals(err.code, code, err.message);
    if (message) ok(message.test(err.message), `message ${JSON.stringify(err.message)} !~ ${message}`);
    return true;
  };
}

/** An OpenSSH ed25519 public key the simulator accepts (its blob is well formed; the key bytes are arbitrary). */
function ed25519Key(): string {
  const type = new TextEncoder().encode("ssh-ed25519");
  const blob = new Uint8Array(4 + type.length + 4 + 32);
  const view = new DataView(blob.buffer);
  view.setUint32(0, type.length);
  blob.set(type, 4);
  view.setUint32(4 + type.length, 32);
  blob.fill(7, 8 + type.length);
  return `ssh-ed25519 ${btoa(String.fromCharCode(...blob))} test@example`;
}

Deno.test("create: sends metro, plan, OS, billing cycle, hostname, user data and tags verbatim", async () => {
  const f = fixture();
  const tags = [CLUSTER_TAG, ROLE_TAG, "Name: sample-machine-name", "a=b+/c="];
  const res = await f.driver.createMachine(f.req("shoot--dev--c1-worker-a-z1-abcde", { spec: f.spec({ tags }) }));
  const [device] = f.sim.devices();
  assertEquals(res, { providerID: `equinixmetal://ny/${device.id}`, nodeName: "shoot--dev--c1-worker-a-z1-abcde" });
  assertEquals(device.hostname, "shoot--dev--c1-worker-a-z1-abcde");
  assertEquals(device.tags, tags);
  assertEquals([device.plan, device.metro, device.operatingSystem, device.billingCycle], [
    "c3.small.x86",
    "ny",
    "flatcar_stable",
    "hourly",
  ]);
  assertEquals(device.userdata, USER_DATA);
  assertEquals(device.hardwareReservationId, undefined);
});

Deno.test("create: a machine name with dots (a valid node name, rejected upstream) works", async () => {
  const f = fixture();
  const res = await f.driver.createMachine(f.req("worker.pool-a.example"));
  assertEquals(res.nodeName, "worker.pool-a.example");
  assertEquals(f.sim.devices()[0].hostname, "worker.pool-a.example");
});

Deno.test("create: iPXE URL makes the OS custom_ipxe; sshKeys become project_ssh_keys", async () => {
  const f = fixture();
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  const key = await api.sshKeys.createForProject(f.sim.defaultProjectId, { label: "shoot-key", key: ed25519Key() });
  await f.driver.createMachine(
    f.req("m1", { spec: f.spec({ OS: undefined, ipxeScriptUrl: "https://boot.example/x.ipxe", sshKeys: [key.id] }) }),
  );
  const [device] = f.sim.devices();
  assertEquals(device.operatingSystem, "custom_ipxe");
  assertEquals(device.ipxeScriptUrl, "https://boot.example/x.ipxe");
  assertEquals(device.sshKeyIds, [key.id]);
});

Deno.test("create: a class without sshKeys gets a device without keys, not every project and member key", async () => {
  const f = fixture();
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  // Another shoot's project key and an organisation member's own key: Metal's default would install both.
  await api.sshKeys.createForProject(f.sim.defaultProjectId, { label: "other-shoot-key", key: ed25519Key() });
  const member = await f.sim.fetch(
    new Request(`${IN_PROCESS_BASE_URL}/ssh-keys`, {
      method: "POST",
      headers: { "X-Auth-Token": f.sim.defaultToken, "Content-Type": "application/json" },
      body: JSON.stringify({ label: "member-key", key: ed25519Key() }),
    }),
  );
  assertEquals(member.status, 201);
  await f.driver.createMachine(f.req("absent", { spec: f.spec() }));
  await f.driver.createMachine(f.req("empty", { spec: f.spec({ sshKeys: [] }) }));
  // Control: the same request without no_ssh_keys gets both keys.
  await api.devices.create(f.sim.defaultProjectId, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: "control",
  });
  const devices = f.sim.devices();
  assertEquals(devices.map((d) => [d.hostname, d.sshKeyIds.length]), [["absent", 0], ["empty", 0], ["control", 2]]);
});

Deno.test("create is idempotent: a second call returns the same device and creates nothing", async () => {
  const f = fixture();
  const first = await f.driver.createMachine(f.req("m1"));
  f.sim.counters.reset();
  const second = await f.driver.createMachine(f.req("m1"));
  assertEquals(second, first);
  assertEquals(f.sim.devices().length, 1);
  assertEquals(f.sim.counters.total("POST /projects/{id}/devices"), 0);
});

Deno.test("create adopts only a device with the exact hostname and both tags that is not being deleted", async () => {
  const f = fixture();
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  const base = {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    billing_cycle: "hourly" as const,
  };
  const pid = f.sim.defaultProjectId;
  // Not ours: other cluster tag, missing role tag, hostname that only contains the name, a departing device.
  await api.devices.create(pid, { ...base, hostname: "m1", tags: ["kubernetes.io/cluster/other", ROLE_TAG] });
  await api.devices.create(pid, { ...base, hostname: "m1", tags: [CLUSTER_TAG] });
  await api.devices.create(pid, { ...base, hostname: "m1-old", tags: [CLUSTER_TAG, ROLE_TAG] });
  const departing = await api.devices.create(pid, { ...base, hostname: "m1", tags: [CLUSTER_TAG, ROLE_TAG] });
  await api.devices.delete(departing.id);
  // Ours, made by a create whose response was lost.
  const mine = await api.devices.create(pid, { ...base, hostname: "m1", tags: ["extra", ROLE_TAG, CLUSTER_TAG] });
  const before = f.sim.devices().length;
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(idOf(res.providerID), mine.id);
  assertEquals(f.sim.devices().length, before);

  // Without "mine", a new device is created although look-alikes exist.
  const f2 = fixture();
  const api2 = new MetalClient({ token: f2.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f2.sim.fetch });
  const other = await api2.devices.create(f2.sim.defaultProjectId, {
    ...base,
    hostname: "m1",
    tags: ["kubernetes.io/cluster/other", ROLE_TAG],
  });
  const res2 = await f2.driver.createMachine(f2.req("m1"));
  ok(idOf(res2.providerID) !== other.id);
  assertEquals(f2.sim.devices().length, 2);
});

Deno.test("create with several devices for the machine adopts one and deletes the others", async () => {
  const f = fixture();
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  const body = {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: "m1",
    tags: [CLUSTER_TAG, ROLE_TAG],
  };
  const oldest = await api.devices.create(f.sim.defaultProjectId, body);
  await f.advance(1_000);
  const b = await api.devices.create(f.sim.defaultProjectId, body);
  await f.advance(1_000);
  const c = await api.devices.create(f.sim.defaultProjectId, body);
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(idOf(res.providerID), oldest.id, "the oldest is kept");
  const states = Object.fromEntries(f.sim.devices({ includeDeleted: true }).map((d) => [d.id, d.state]));
  assertEquals([states[b.id], states[c.id]], ["deprovisioning", "deprovisioning"], "the extras are deleted");
  ok(states[oldest.id] !== "deprovisioning");
  // The next call converges on the same device and deletes nothing more.
  f.sim.counters.reset();
  assertEquals((await f.driver.createMachine(f.req("m1"))).providerID, res.providerID);
  assertEquals(f.sim.counters.total("DELETE /devices/{id}"), 0);
  assertEquals(f.sim.counters.total("POST /projects/{id}/devices"), 0);
});

Deno.test("create with several devices keeps an active one over an older provisioning one", async () => {
  const f = fixture();
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  const body = {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: "m1",
    tags: [CLUSTER_TAG, ROLE_TAG],
  };
  f.sim.setTimings({ queuedMs: 0, provisioningMs: 10 * 60_000 });
  const slow = await api.devices.create(f.sim.defaultProjectId, body);
  f.sim.setTimings({ provisioningMs: 1_000 });
  await f.advance(1_000);
  const active = await api.devices.create(f.sim.defaultProjectId, body);
  await f.advance(5_000);
  assertEquals(f.sim.devices().map((d) => d.state), ["provisioning", "active"]);
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(idOf(res.providerID), active.id);
  const states = Object.fromEntries(f.sim.devices({ includeDeleted: true }).map((d) => [d.id, d.state]));
  assertEquals(states[slow.id], "deprovisioning");
  // A status lookup without providerID reports the same device (no OutOfRange).
  const status = await f.driver.getMachineStatus(f.req("m1"));
  assertEquals(status.providerID, res.providerID);
});

Deno.test("create after a lost response: the dedupe lookup finds the device, no second device", async () => {
  const f = fixture({ driver: { retry: INSTANT_RETRY } });
  f.sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
  const res = await f.driver.createMachine(f.req("m1"));
  const devices = f.sim.devices();
  assertEquals(devices.length, 1);
  assertEquals(idOf(res.providerID), devices[0].id);
  assertEquals(f.sim.counters.total("POST /projects/{id}/devices"), 1);
});

Deno.test("create does not adopt a device that failed provisioning: it deletes it and creates a new one", async () => {
  const f = fixture();
  f.sim.failNextCreates(1, "failed");
  const first = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * 60_000);
  assertEquals(f.sim.devices().map((d) => d.state), ["failed"]);
  // The providerID was never written; MCM calls CreateMachine again.
  const second = await f.driver.createMachine(f.req("m1"));
  ok(idOf(second.providerID) !== idOf(first.providerID), "a new device, not the failed one");
  const states = Object.fromEntries(f.sim.devices({ includeDeleted: true }).map((d) => [d.id, d.state]));
  assertEquals(states[idOf(first.providerID)], "deprovisioning", "the failed device is deleted");
  ok(states[idOf(second.providerID)] !== "failed");
});

Deno.test("create after a lost response without client retries: the lookup right after adopts, no second POST", async () => {
  const f = fixture();
  f.sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(f.sim.devices().map((d) => d.id), [idOf(res.providerID)]);
  assertEquals(f.sim.counters.total("POST /projects/{id}/devices"), 1);
});

Deno.test("create answered 500 without a device: Unavailable, and the retry creates (no visibility wait)", async () => {
  const f = fixture();
  f.sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", status: 500, times: 1 });
  await rejects(f.driver.createMachine(f.req("m1")), isMachineError("Unavailable", /Could not create device/));
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(f.sim.devices().map((d) => d.id), [idOf(res.providerID)]);
});

Deno.test("reservations: IDs in order, busy ones skipped, then on demand without any reservation id", async () => {
  const f = fixture();
  const [r0, r1] = f.sim.seed.hardwareReservations.filter((r) => r.plan === "c3.small.x86" && !r.spare);
  const spec = f.spec({ reservationIDs: [r0.id, r1.id] });
  const logs = captureLogs();
  try {
    await f.driver.createMachine(f.req("m1", { spec }));
    await f.driver.createMachine(f.req("m2", { spec }));
    await f.driver.createMachine(f.req("m3", { spec }));
  } finally {
    logs.restore();
  }
  const byName = new Map(f.sim.devices().map((d) => [d.hostname, d]));
  assertEquals(byName.get("m1")!.hardwareReservationId, r0.id);
  assertEquals(byName.get("m2")!.hardwareReservationId, r1.id, "r0 is busy, so m2 goes to r1");
  assertEquals(byName.get("m3")!.hardwareReservationId, undefined, "fallback is on demand (upstream re-sent r1)");
  ok(logs.lines.some((l) => l.includes("Placement unavailable") && l.includes(r0.id)), "skips are logged");
});

Deno.test("reservations: next-available takes a free reservation of the plan in the metro", async () => {
  const f = fixture();
  const c3 = f.sim.seed.hardwareReservations.filter((r) => r.plan === "c3.small.x86" && !r.spare).map((r) => r.id);
  const spec = f.spec({ reservationIDs: ["next-available"], reservedDevicesOnly: true });
  await f.driver.createMachine(f.req("m1", { spec }));
  await f.driver.createMachine(f.req("m2", { spec }));
  const used = f.sim.devices().map((d) => d.hardwareReservationId).sort();
  assertEquals(used, [...c3].sort());
});

Deno.test("reservations: reservedDevicesOnly exhausted is ResourceExhausted naming every reservation tried", async () => {
  const f = fixture();
  const [r0, r1] = f.sim.seed.hardwareReservations.filter((r) => r.plan === "c3.small.x86" && !r.spare);
  const spec = f.spec({ reservationIDs: [r0.id, r1.id, "next-available"], reservedDevicesOnly: true });
  await f.driver.createMachine(f.req("m1", { spec }));
  await f.driver.createMachine(f.req("m2", { spec }));
  await rejects(
    f.driver.createMachine(f.req("m3", { spec })),
    isMachineError(
      "ResourceExhausted",
      new RegExp(
        `${r0.id}.*Server is not provisionable.*${r1.id}.*next-available.*no available hardware reservations.*reservedDevicesOnly`,
      ),
    ),
  );
  assertEquals(f.sim.devices().length, 2);
});

Deno.test("reservations: another plan's, another metro's and a spare reservation are skipped", async () => {
  const f = fixture();
  const m3 = f.sim.seed.hardwareReservations.find((r) => r.plan === "m3.small.x86")!; // da11, other plan and metro
  const spare = f.sim.seed.hardwareReservations.find((r) => r.spare)!;
  await f.driver.createMachine(f.req("m1", { spec: f.spec({ reservationIDs: [m3.id, spare.id] }) }));
  const [device] = f.sim.devices();
  assertEquals(device.hardwareReservationId, undefined);
  assertEquals(device.metro, "ny");
  // same with reservedDevicesOnly: nothing usable
  await rejects(
    f.driver.createMachine(f.req("m2", { spec: f.spec({ reservationIDs: [m3.id], reservedDevicesOnly: true }) })),
    isMachineError("ResourceExhausted", new RegExp(m3.id)),
  );
});

Deno.test("reservations: reservedDevicesOnly without IDs is InvalidArgument pointing at next-available", async () => {
  const f = fixture();
  await rejects(
    f.driver.createMachine(f.req("m1", { spec: f.spec({ reservedDevicesOnly: true }) })),
    isMachineError("InvalidArgument", /providerSpec\.reservedDevicesOnly.*next-available/),
  );
  assertEquals(f.sim.counters.total(""), 0, "nothing is sent for an invalid spec");
});

Deno.test("facilities: one facility per device, chosen by name hash; full facility falls back to the next", async () => {
  const f = fixture();
  const spec = f.spec({ facilities: ["ny5", "ny7"] });
  for (let i = 0; i < 12; i++) await f.driver.createMachine(f.req(`m${i}`, { spec }));
  const facilities = new Set(f.sim.devices().map((d) => d.facility));
  assertEquals([...facilities].sort(), ["ny5", "ny7"], "a pool spreads over both facilities");

  const g = fixture();
  g.sim.setCapacity("ny5", "c3.small.x86", 0);
  for (let i = 0; i < 6; i++) {
    await g.driver.createMachine(g.req(`m${i}`, { spec: g.spec({ facilities: ["ny5", "ny7"] }) }));
  }
  assertEquals(new Set(g.sim.devices().map((d) => d.facility)), new Set(["ny7"]));

  g.sim.setCapacity("ny7", "c3.small.x86", 0);
  await rejects(
    g.driver.createMachine(g.req("m-full", { spec: g.spec({ facilities: ["ny5", "ny7"] }) })),
    isMachineError("ResourceExhausted", /facility ny5.*facility ny7|facility ny7.*facility ny5/),
  );
});

Deno.test("facilities: an organisation that may not use facilities gets metro placement instead", async () => {
  const f = fixture({
    sim: {
      seed: {
        organizations: [{ name: "New Org", facilitiesAllowed: false }],
        projects: [{ name: "p", organization: "New Org" }],
      },
    },
  });
  const res = await f.driver.createMachine(f.req("m1", { spec: f.spec({ facilities: ["ny5", "ny7"] }) }));
  const [device] = f.sim.devices();
  assertEquals(res.providerID, `equinixmetal://ny/${device.id}`);
  assertEquals(device.metro, "ny");
});

Deno.test("create never logs the token or the user data", async () => {
  const f = fixture();
  const logs = captureLogs();
  try {
    await f.driver.createMachine(f.req("m1"));
    f.sim.setCapacity("ny", "c3.small.x86", 0);
    await rejects(f.driver.createMachine(f.req("m2")));
  } finally {
    logs.restore();
  }
  const text = logs.lines.join("\n");
  ok(text.includes("Created device for machine"), text);
  ok(!text.includes(f.sim.defaultToken), "token in logs");
  ok(!text.includes("abcdef.0123456789abcdef"), "bootstrap token from the user data in logs");
});

Deno.test("concurrent creates of one machine (a client retrying after its deadline) make one device", async () => {
  const f = fixture();
  // Slow POSTs widen the window between lookup and create in which an unserialised second call would race.
  f.sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", latencyMs: 1_000 });
  const calls = [
    f.driver.createMachine(f.req("m1")),
    f.driver.createMachine(f.req("m1")),
    f.driver.createMachine(f.req("m2")),
  ];
  let settled = false;
  const all = Promise.all(calls).finally(() => (settled = true));
  // Let simulated time pass until every call is done (each POST sleeps 1 s on the simulator's clock).
  while (!settled) {
    await new Promise((r) => setTimeout(r, 1));
    await f.advance(1_000);
  }
  const [a, b, c] = await all;
  assertEquals(a, b);
  ok(a.providerID !== c.providerID);
  assertEquals(f.sim.devices().map((d) => d.hostname).sort(), ["m1", "m2"]);
});

Deno.test("Metal clients are cached per token, bounded", async () => {
  const made: string[] = [];
  const f = fixture({
    driver: {
      maxCachedClients: 2,
      clientFactory: (token) => {
        made.push(token);
        return new MetalClient({ token, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
      },
    },
  });
  const other = f.sim.seed.tokens.filter((t) => t.token !== f.sim.defaultToken).map((t) => t.token);
  const list = (token: string) => f.driver.listMachines(f.listReq({ secret: { apiToken: token } })).catch(() => {});
  await list(f.sim.defaultToken);
  await list(f.sim.defaultToken);
  assertEquals(made.length, 1, "second call reuses the client");
  await list(other[0]);
  await list(other[1]);
  await list(f.sim.defaultToken);
  assertEquals(made.length, 4, "the least recently used client was dropped");
});
