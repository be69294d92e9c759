/** GetMachineStatus, DeleteMachine, ListMachines, ShutDownMachine and the trivial calls against the simulator. */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { IN_PROCESS_BASE_URL } from "../../../src/sim/metal/mod.ts";
import { MetalClient } from "../../../src/metal/client.ts";
import { EquinixMetalDriver } from "../../../src/mcm/driver/equinix_metal_driver.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { CLUSTER_TAG, fixture, idOf, NO_RETRY, ROLE_TAG } from "./sim_fixture.ts";

function isMachineError(code: string, message?: RegExp) {
  return (err: unknown) => {
    ok(err instanceof MachineError, `expected a MachineError, got ${err}`);
    assertEquals(err.code, code, err.message);
    if (message) ok(message.test(err.message), `message ${JSON.stringify(err.message)} !~ ${message}`);
    return true;
  };
}

const MINUTE = 60_000;

Deno.test("status: provisioning and active devices are OK with the providerID re-encoded and the node name", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  assertEquals(f.sim.devices()[0].state, "queued");
  assertEquals(await f.driver.getMachineStatus(f.req("m1", { providerID })), { providerID, nodeName: "m1" });
  await f.advance(10_000);
  assertEquals(f.sim.devices()[0].state, "provisioning");
  assertEquals((await f.driver.getMachineStatus(f.req("m1", { providerID }))).providerID, providerID);
  await f.advance(MINUTE);
  assertEquals(f.sim.devices()[0].state, "active");
  assertEquals(await f.driver.getMachineStatus(f.req("m1", { providerID })), { providerID, nodeName: "m1" });
});

Deno.test("status reads every providerID form: facility form, CCM form, packet://, bare id", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  const id = idOf(providerID);
  for (const form of [`equinixmetal://ny5/${id}`, `equinixmetal://${id}`, `packet://${id}`, id]) {
    assertEquals((await f.driver.getMachineStatus(f.req("m1", { providerID: form }))).providerID, providerID, form);
  }
  await rejects(
    f.driver.getMachineStatus(f.req("m1", { providerID: `aws:///eu-west-1a/i-0123` })),
    isMachineError("InvalidArgument", /not an Equinix Metal providerID/),
  );
});

Deno.test("status without providerID finds the device by hostname and tags, else NotFound", async () => {
  const f = fixture();
  await rejects(
    f.driver.getMachineStatus(f.req("m1")),
    isMachineError("NotFound", /No device exists for machine "m1"/),
  );
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  assertEquals(await f.driver.getMachineStatus(f.req("m1")), { providerID, nodeName: "m1" });
});

Deno.test("status: a device that failed provisioning is FailedPrecondition", async () => {
  const f = fixture();
  f.sim.failNextCreates(1, "failed");
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  assertEquals(f.sim.devices()[0].state, "failed");
  await rejects(
    f.driver.getMachineStatus(f.req("m1", { providerID })),
    isMachineError("FailedPrecondition", new RegExp(`Device ${idOf(providerID)} of machine "m1" failed provisioning`)),
  );
});

Deno.test("status: a device hidden behind 403 after failed provisioning is FailedPrecondition, then NotFound", async () => {
  const f = fixture();
  f.sim.failNextCreates(1, "vanish-403");
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  ok(f.sim.devices()[0].vanished);
  await rejects(
    f.driver.getMachineStatus(f.req("m1", { providerID })),
    isMachineError("FailedPrecondition", /failed provisioning: the API denies access to it \(403\)/),
  );
  // After Equinix removes it, it is really gone.
  await f.advance(15 * MINUTE);
  await rejects(f.driver.getMachineStatus(f.req("m1", { providerID })), isMachineError("NotFound"));
});

Deno.test("status: NotFound only when the device is deprovisioning, deleted or unknown", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  await f.driver.deleteMachine(f.req("m1", { providerID }));
  assertEquals(f.sim.devices({ includeDeleted: true })[0].state, "deprovisioning");
  await rejects(f.driver.getMachineStatus(f.req("m1", { providerID })), isMachineError("NotFound", /deprovisioning/));
  await f.advance(MINUTE);
  await rejects(f.driver.getMachineStatus(f.req("m1", { providerID })), isMachineError("NotFound", /does not exist/));
  await rejects(
    f.driver.getMachineStatus(f.req("m1", { providerID: "equinixmetal://ny/0b1c2d3e-0000-4000-8000-000000000000" })),
    isMachineError("NotFound"),
  );
});

Deno.test("delete: one DELETE per call; 404, departing devices, empty and non-UUID providerIDs are success", async () => {
  const driverClock = new FakeClock();
  const f = fixture({ driver: { clock: driverClock } });
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  f.sim.counters.reset();
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID })), {});
  assertEquals(f.sim.devices().length, 0);
  assertEquals(f.sim.counters.snapshot(), { "DELETE /devices/{id} 204": 1 }, "a deletion is one Metal API call");
  f.sim.counters.reset();
  // MCM repeats DeleteMachine when a later step of its flow is retried: no second call for a device just deleted
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID })), {});
  assertEquals(f.sim.counters.snapshot(), {});
  // another driver (a restarted controller) does not know it: its DELETE of a deprovisioning device is accepted
  const restarted = new EquinixMetalDriver({ metalApiUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch, retry: NO_RETRY });
  assertEquals(await restarted.deleteMachine(f.req("m1", { providerID })), {});
  assertEquals(f.sim.counters.snapshot(), { "DELETE /devices/{id} 204": 1 });
  assertEquals(f.sim.devices({ includeDeleted: true }).map((d) => d.state), ["deprovisioning"]);
  await f.advance(11 * MINUTE);
  await driverClock.advance(11 * MINUTE);
  f.sim.counters.reset();
  // gone: 404
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID })), {});
  // never created: without a providerID one lookup by name (it finds nothing), a non-UUID id asks for nothing
  assertEquals(await f.driver.deleteMachine(f.req("m2")), {});
  assertEquals(await f.driver.deleteMachine(f.req("m2", { providerID: "equinixmetal://ewr1/000001" })), {});
  assertEquals(
    f.sim.counters.snapshot(),
    { "DELETE /devices/{id} 404": 1, "GET /projects/{id}/devices 200": 1 },
    "only the gone device was asked for",
  );
});

Deno.test("delete without providerID deletes the device found by hostname and tags (providerID never written)", async () => {
  const f = fixture();
  await f.driver.createMachine(f.req("m1"));
  await f.driver.createMachine(f.req("m2"));
  await f.advance(2 * MINUTE);
  assertEquals(await f.driver.deleteMachine(f.req("m1")), {});
  const states = Object.fromEntries(f.sim.devices({ includeDeleted: true }).map((d) => [d.hostname, d.state]));
  assertEquals(states, { m1: "deprovisioning", m2: "active" }, "only the machine's own device goes");
  // a class whose ownership part is invalid cannot have created a device: success without a lookup
  f.sim.counters.reset();
  assertEquals(await f.driver.deleteMachine(f.req("m2", { spec: f.spec({ tags: [] }) })), {});
  assertEquals(f.sim.counters.snapshot(), {});
});

Deno.test("delete: works with every providerID form (an upgraded Machine keeps its old providerID)", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.driver.deleteMachine(f.req("m1", { providerID: `equinixmetal://ny5/${idOf(providerID)}` }));
  assertEquals(f.sim.devices().length, 0);
});

Deno.test("delete: a locked device is FailedPrecondition and stays", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  f.sim.lockDevice(idOf(providerID), true);
  await rejects(
    f.driver.deleteMachine(f.req("m1", { providerID })),
    isMachineError("FailedPrecondition", /is locked/),
  );
  assertEquals(f.sim.devices().length, 1);
});

Deno.test("delete: a device hidden behind 403 (failed provisioning) is FailedPrecondition, success once gone", async () => {
  const f = fixture();
  f.sim.failNextCreates(1, "vanish-403");
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  await rejects(f.driver.deleteMachine(f.req("m1", { providerID })), isMachineError("FailedPrecondition", /403/));
  await f.advance(15 * MINUTE);
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID })), {});
});

Deno.test("delete: network errors are Unavailable, never a crash", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  f.sim.faults.add({ method: "DELETE", endpoint: "/devices/{id}", loseResponse: true, times: 1 });
  await rejects(f.driver.deleteMachine(f.req("m1", { providerID })), isMachineError("Unavailable"));
  // the DELETE took effect; the retry sees a departing device
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID })), {});
});

Deno.test("list: every page, devices with both tags exactly, departing ones skipped", async () => {
  const f = fixture({ driver: { listPageSize: 10 } });
  const want: Record<string, string> = {};
  for (let i = 0; i < 23; i++) {
    const { providerID } = await f.driver.createMachine(f.req(`m${i}`));
    want[providerID] = `m${i}`;
  }
  const api = new MetalClient({ token: f.sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: f.sim.fetch });
  const base = { metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable" };
  // other role, other cluster, tag that only contains the cluster tag
  await api.devices.create(f.sim.defaultProjectId, {
    ...base,
    hostname: "x1",
    tags: [CLUSTER_TAG, "kubernetes.io/role/other"],
  });
  await api.devices.create(f.sim.defaultProjectId, {
    ...base,
    hostname: "x2",
    tags: ["kubernetes.io/cluster/other", ROLE_TAG],
  });
  await api.devices.create(f.sim.defaultProjectId, { ...base, hostname: "x3", tags: [`${CLUSTER_TAG}-2`, ROLE_TAG] });
  // a departing device of ours
  const { providerID: gone } = await f.driver.createMachine(f.req("m-gone"));
  await f.driver.deleteMachine(f.req("m-gone", { providerID: gone }));
  f.sim.counters.reset();
  const { machineList } = await f.driver.listMachines(f.listReq());
  assertEquals(machineList, want);
  ok(f.sim.counters.total("GET /projects/{id}/devices") >= 3, JSON.stringify(f.sim.counters.snapshot()));
});

Deno.test("list needs only the project and the tags: a broken billingCycle does not stop orphan collection", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  const broken = f.spec({ billingCycle: "weekly", OS: undefined, machineType: undefined });
  assertEquals((await f.driver.listMachines(f.listReq({ spec: broken }))).machineList, { [providerID]: "m1" });
  // a value of the wrong type is still a decoding error, as in Go
  await rejects(
    f.driver.listMachines(f.listReq({ spec: f.spec({ OS: 3 }) })),
    isMachineError("InvalidArgument", /providerSpec\.OS: Invalid value: expected string, got number/),
  );
});

Deno.test("shut down: powers an active device off; absent and departing devices are success", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  await f.advance(2 * MINUTE);
  assertEquals(await f.driver.shutDownMachine(f.req("m1", { providerID })), {});
  ok(["powering_off", "inactive"].includes(f.sim.devices()[0].state), f.sim.devices()[0].state);
  await f.advance(MINUTE);
  assertEquals(f.sim.devices()[0].state, "inactive");
  assertEquals(await f.driver.shutDownMachine(f.req("m1", { providerID })), {}, "already off");
  assertEquals(await f.driver.shutDownMachine(f.req("m2")), {}, "never created");
});

Deno.test("GetVolumeIDs returns an empty list; InitializeMachine is Unimplemented", async () => {
  const f = fixture();
  assertEquals(await f.driver.getVolumeIDs({ pvSpecs: [{ csi: { driver: "x", volumeHandle: "v" } }] }), {
    volumeIDs: [],
  });
  await rejects(f.driver.initializeMachine(f.req("m1")), isMachineError("Unimplemented"));
});

Deno.test("list asks only for what it reads: nested objects come as {href} stubs, the metro stays expanded", async () => {
  const f = fixture();
  const { providerID } = await f.driver.createMachine(f.req("m1"));
  let listed: { url: string; body: string } | undefined;
  const driver = new EquinixMetalDriver({
    metalApiUrl: IN_PROCESS_BASE_URL,
    retry: NO_RETRY,
    fetch: async (input, init) => {
      const resp = await f.sim.fetch(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes("/devices?")) listed = { url, body: await resp.clone().text() };
      return resp;
    },
  });
  assertEquals((await driver.listMachines(f.listReq())).machineList, { [providerID]: "m1" });
  ok(listed, "a device listing was sent");
  const excludes = new URL(listed.url).searchParams.get("exclude")?.split(",") ?? [];
  ok(excludes.includes("ip_addresses") && excludes.includes("plan"), listed.url);
  const device = JSON.parse(listed.body).devices[0];
  assertEquals(Object.keys(device.plan), ["href"]);
  assertEquals(typeof device.metro.code, "string");
});

Deno.test("delete through the CMI driver (ownership verified): another machine's or cluster's device is refused", async () => {
  const f = fixture({ driver: { verifyOwnershipOnDelete: true } });
  const { providerID: mine } = await f.driver.createMachine(f.req("m1"));
  const { providerID: other } = await f.driver.createMachine(f.req("m2"));
  const foreignCluster = f.spec({ tags: ["kubernetes.io/cluster/shoot--other--x", ROLE_TAG] });
  const { providerID: foreign } = await f.driver.createMachine(f.req("m3", { spec: foreignCluster }));

  // m1 asked to delete m2's device, and m3's device asked for with our cluster's class: both refused, nothing sent.
  await rejects(f.driver.deleteMachine(f.req("m1", { providerID: other })), isMachineError("InvalidArgument", /m2/));
  await rejects(f.driver.deleteMachine(f.req("m3", { providerID: foreign })), isMachineError("InvalidArgument"));
  assertEquals(f.sim.counters.total("DELETE /devices/{id}"), 0);

  // Its own device goes; a device already gone is success.
  assertEquals(await f.driver.deleteMachine(f.req("m1", { providerID: mine })), {});
  assertEquals(f.sim.counters.total("DELETE /devices/{id}"), 1);
  ok(f.sim.devices().every((d) => d.id !== idOf(mine)));
  assertEquals(
    await f.driver.deleteMachine(f.req("m9", { providerID: `equinixmetal://ny/${crypto.randomUUID()}` })),
    {},
  );
});
