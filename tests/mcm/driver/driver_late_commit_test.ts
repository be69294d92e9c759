/**
 * CreateMachine and DeleteMachine when the Metal API commits a create late: the POST's response is lost and the
 * device shows up in GET and listings only 15 s later. The machine is retried as MCM's controller does (every 5 s on
 * Unavailable); it must end with exactly one device, and a delete without providerID must not forget a device that
 * is still on its way.
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { MachineError, type MachineRequest } from "../../../src/mcm/driver/driver.ts";
import { EquinixMetalDriver } from "../../../src/mcm/driver/equinix_metal_driver.ts";
import { IN_PROCESS_BASE_URL } from "../../../src/sim/metal/mod.ts";
import { type Fixture, fixture, idOf, NO_RETRY } from "./sim_fixture.ts";

const ENDPOINT = "/projects/{id}/devices";
const LATE_MS = 15_000;

/** A fixture whose driver reads the simulator's fake clock (its visibility window runs on simulated time). */
function lateFixture(): Fixture {
  const f = fixture();
  const driver = new EquinixMetalDriver({
    metalApiUrl: IN_PROCESS_BASE_URL,
    fetch: f.sim.fetch,
    retry: NO_RETRY,
    clock: f.clock,
  });
  return { ...f, driver };
}

function loseNextCreateLate(f: Fixture): void {
  f.sim.faults.add({ method: "POST", endpoint: ENDPOINT, loseResponse: true, lateCommitMs: LATE_MS, times: 1 });
}

/** CreateMachine until it succeeds, 5 s of simulated time after each Unavailable (MCM's short retry). */
async function createUntilDone(f: Fixture, req: MachineRequest): Promise<{ providerID: string; calls: number }> {
  for (let calls = 1; calls <= 20; calls++) {
    try {
      const res = await f.driver.createMachine(req);
      return { providerID: res.providerID, calls };
    } catch (err) {
      if (!(err instanceof MachineError) || err.code !== "Unavailable") throw err;
      await f.advance(5_000);
    }
  }
  throw new Error("CreateMachine never succeeded");
}

Deno.test("late commit: a lost create is not sent again while it may still appear; one device in the end", async () => {
  const f = lateFixture();
  loseNextCreateLate(f);
  const { providerID } = await createUntilDone(f, f.req("m1"));
  await f.advance(60_000);
  const devices = f.sim.devices();
  assertEquals(devices.map((d) => d.hostname), ["m1"], `one device, got ${devices.map((d) => d.id).join(", ")}`);
  assertEquals(idOf(providerID), devices[0].id);
  assertEquals(f.sim.counters.total(`POST ${ENDPOINT}`), 1, "a single POST");
});

Deno.test("late commit: the retries in the window are Unavailable and cost no POST", async () => {
  const f = lateFixture();
  loseNextCreateLate(f);
  await rejects(f.driver.createMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await f.advance(5_000);
  await rejects(
    f.driver.createMachine(f.req("m1")),
    (e: MachineError) => e.code === "Unavailable" && /not creating another/.test(e.message),
  );
  assertEquals(f.sim.counters.total(`POST ${ENDPOINT}`), 1);
});

Deno.test("late commit: a create that never happened is sent again once the window has passed", async () => {
  const f = lateFixture();
  // Times out before reaching the API: nothing is created, so after the window a new POST is right.
  f.sim.faults.add({ method: "POST", endpoint: ENDPOINT, status: 504, times: 1 });
  await rejects(f.driver.createMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await f.advance(29_000);
  await rejects(f.driver.createMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await f.advance(1_000);
  const res = await f.driver.createMachine(f.req("m1"));
  assertEquals(f.sim.devices().map((d) => d.id), [idOf(res.providerID)]);
  assertEquals(f.sim.counters.total(`POST ${ENDPOINT}`), 2);
});

Deno.test("late commit: a restarted driver sends no create for an older machine in its first 30 s", async () => {
  const f = lateFixture();
  loseNextCreateLate(f);
  const created = new Date(f.clock.now()).toISOString();
  await rejects(f.driver.createMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await f.advance(1_000);
  // The controller restarts: a new driver knows nothing of the first POST.
  const restarted = new EquinixMetalDriver({
    metalApiUrl: IN_PROCESS_BASE_URL,
    fetch: f.sim.fetch,
    retry: NO_RETRY,
    clock: f.clock,
  });
  const req = { ...f.req("m1"), machine: { name: "m1", creationTimestamp: created } };
  const { providerID } = await createUntilDone({ ...f, driver: restarted }, req);
  assertEquals(f.sim.devices().map((d) => d.id), [idOf(providerID)]);
  assertEquals(f.sim.counters.total(`POST ${ENDPOINT}`), 1);

  // A machine created after the driver started cannot have a predecessor's create: it is created at once.
  const fresh = { ...f.req("m2"), machine: { name: "m2", creationTimestamp: new Date(f.clock.now()).toISOString() } };
  const f2 = lateFixture();
  await f2.driver.createMachine({ ...fresh, machineClass: f2.req("m2").machineClass, secret: f2.secret });
  assertEquals(f2.sim.devices().length, 1);
});

Deno.test("late commit: delete without providerID waits for the device instead of deleting nothing", async () => {
  const f = lateFixture();
  loseNextCreateLate(f);
  await rejects(f.driver.createMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await rejects(f.driver.deleteMachine(f.req("m1")), (e: MachineError) => e.code === "Unavailable");
  await f.advance(LATE_MS);
  await f.driver.deleteMachine(f.req("m1"));
  await f.advance(60_000);
  assertEquals(f.sim.devices().length, 0, "the late device was deleted");
  // Without any uncertain create, a machine without device is deleted at once (nothing to wait for).
  await f.driver.deleteMachine(f.req("never-created"));
  ok(true);
});
