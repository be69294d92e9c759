/**
 * Fault test: 500 CreateMachine calls while the simulator loses 10% of the create responses (after creating the
 * device) and answers 5% with a 5xx (without effect). Each machine's call is retried until it succeeds, only on Unavailable, as
 * MCM's machine controller does. Exactly 500 devices must exist, one per machine.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { MachineError } from "../../../src/mcm/driver/driver.ts";
import { fixture, idOf } from "./sim_fixture.ts";

const MACHINES = 500;
/** Parallel workers, like MCM's concurrent syncs (one machine is never handled by two at once). */
const WORKERS = 16;

Deno.test("500 creates under 10% lost responses and 5% 5xx: exactly 500 devices, none duplicated", async () => {
  const f = fixture();
  f.sim.setCapacity("ny", "c3.small.x86", "unlimited");
  const endpoint = "/projects/{id}/devices";
  f.sim.faults.seed(500);
  f.sim.faults.add({ method: "POST", endpoint, loseResponse: true, probability: 0.10 });
  // Later rules only see what earlier ones let through: 503 and 500 each take 2.5% of all POSTs.
  f.sim.faults.add({ method: "POST", endpoint, status: 503, probability: 0.05 / 0.9 / 2 });
  f.sim.faults.add({ method: "POST", endpoint, status: 500, probability: 0.05 / 0.9 / 2 / (1 - 0.05 / 0.9 / 2) });

  const results = new Map<string, string>();
  let calls = 0;
  let unavailable = 0;
  const names = Array.from({ length: MACHINES }, (_, i) => `shoot--dev--c1-worker-z1-${String(i).padStart(4, "0")}`);
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      for (let attempt = 1;; attempt++) {
        calls++;
        try {
          const res = await f.driver.createMachine(f.req(name));
          results.set(name, res.providerID);
          break;
        } catch (err) {
          if (!(err instanceof MachineError) || err.code !== "Unavailable") throw err;
          unavailable++;
          ok(attempt < 50, `machine ${name} still failing after ${attempt} attempts: ${err.message}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));

  const devices = f.sim.devices();
  assertEquals(devices.length, MACHINES);
  assertEquals(new Set(devices.map((d) => d.hostname)).size, MACHINES, "one device per machine");
  assertEquals(new Set(devices.map((d) => d.hostname)), new Set(names));
  for (const [name, providerID] of results) {
    const device = devices.find((d) => d.id === idOf(providerID));
    assertEquals(device?.hostname, name, `providerID of ${name} names its own device`);
  }
  const { machineList } = await f.driver.listMachines(f.listReq());
  assertEquals(Object.keys(machineList).length, MACHINES);

  // The faults really happened, at about the configured rates.
  const injected = f.sim.faults.snapshot();
  const lost = injected[`lost POST ${endpoint}`] ?? 0;
  const fivexx = (injected[`500 POST ${endpoint}`] ?? 0) + (injected[`503 POST ${endpoint}`] ?? 0);
  const posts = f.sim.counters.total(`POST ${endpoint}`);
  ok(lost >= 0.05 * posts && lost <= 0.15 * posts, `lost ${lost} of ${posts} POSTs`);
  ok(fivexx >= 0.02 * posts && fivexx <= 0.09 * posts, `5xx ${fivexx} of ${posts} POSTs`);
  // A lost create is found by the lookup right after it (the simulator commits at once here); a 5xx is one
  // Unavailable, and the retry creates.
  assertEquals(unavailable, fivexx, "every 5xx surfaced as one Unavailable, every lost response was adopted at once");
  assertEquals(calls, MACHINES + unavailable);
  console.log(`${calls} CreateMachine calls, ${posts} POSTs, ${lost} lost responses, ${fivexx} 5xx answers`);
});
