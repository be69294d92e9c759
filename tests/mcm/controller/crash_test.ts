/**
 * Crash test: the real Equinix Metal driver against the Metal simulator (which loses responses of creates and
 * deletes after applying them), the controller stopped at random points while 50 machines are created and then
 * deleted, and started again each time. It must converge with exactly one device per machine, and none left after
 * the deletion.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../../src/sim/metal/mod.ts";
import { metalDevices } from "../../../src/sim/nodes/metal_source.ts";
import { EquinixMetalDriver } from "../../../src/mcm/driver/equinix_metal_driver.ts";
import type { RetryPolicy } from "../../../src/metal/client.ts";
import { MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { Machine } from "../../../src/apis/machine/v1alpha1.ts";
import { deviceIdFromProviderID } from "../../../src/mcm/driver/provider_id.ts";
import { Harness, NS } from "./harness.ts";

const MACHINES = 50;
/** One attempt per HTTP call: every lost response reaches the controller. */
const NO_RETRY: RetryPolicy = {
  maxAttempts: 1,
  maxElapsedMs: 0,
  backoff: { initialMs: 0, maxMs: 0, factor: 1, jitter: 0 },
};

/** Deterministic choices of crash points (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("crash test: 50 machines created and deleted with the controller killed at random points; no leaked or duplicated device", async () => {
  const clock = new FakeClock();
  const sim = new MetalSimulator({
    clock,
    randomSeed: 7,
    timings: { queuedMs: 1000, provisioningMs: 4000, deprovisionVisibleMs: 2000 },
  });
  sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, probability: 0.25 });
  sim.faults.add({ method: "DELETE", endpoint: "/devices/{id}", loseResponse: true, probability: 0.25 });
  const driver = new EquinixMetalDriver({ metalApiUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch, retry: NO_RETRY });
  const project = sim.defaultProjectId;
  const h = await Harness.start({
    driver,
    clock,
    devices: metalDevices(sim, project),
    options: { concurrentSyncs: 10 },
  });
  const random = rng(20261121);
  let crashes = 0;
  const machines = async () => (await h.controlClient.list<Machine>(MachineV1alpha1.machines, { namespace: NS })).items;
  const devices = () => sim.devices({ projectId: project });

  /** Runs the controller in bursts, killing it at a random point of each burst, until `done()`. */
  const runWithCrashes = async (done: () => Promise<boolean>, what: string) => {
    for (let round = 0; round < 200; round++) {
      // At least a few kills per phase, even if the work finished early.
      if (round >= 6 && await done()) return;
      const steps = 1 + Math.floor(random() * 6);
      for (let i = 0; i < steps; i++) await h.advance(500, 500);
      // Kill it in the middle of whatever it is doing (real time decides what is in flight).
      await new Promise((r) => setTimeout(r, Math.floor(random() * 15)));
      await h.stopController();
      crashes++;
      h.startController();
    }
    // A last stretch without crashes must converge.
    await h.until(done, { stepMs: 1000, maxMs: 30 * 60_000, what });
  };

  try {
    await h.createSecret("class-secret", {
      userData: "#!/bin/sh\necho <<MACHINE_NAME>> <<BOOTSTRAP_TOKEN>>\n",
      apiToken: sim.defaultToken,
    });
    await h.createClass({
      providerSpec: {
        projectID: project,
        metro: "ny",
        machineType: "c3.small.x86",
        billingCycle: "hourly",
        OS: "flatcar_stable",
        tags: [`kubernetes.io/cluster/${NS}`, "kubernetes.io/role/node"],
      },
    });
    for (let i = 0; i < MACHINES; i++) await h.createMachine(`pool-${String(i).padStart(3, "0")}`);

    await runWithCrashes(async () => {
      const ms = await machines();
      return ms.length === MACHINES && ms.every((m) => m.status?.currentStatus?.phase === "Running");
    }, "all Running");
    // Orphan collection runs at every start; give the last one a chance to remove duplicates from lost responses.
    await h.until(() => devices().length === MACHINES, {
      stepMs: 5_000,
      maxMs: 20 * 60_000,
      what: "one device each",
    });
    const ms = await machines();
    const live = devices();
    assert.equal(live.length, MACHINES, "no duplicated device");
    assert.deepEqual(new Set(live.map((d) => d.hostname)).size, MACHINES);
    for (const m of ms) {
      const d = live.find((x) => x.hostname === m.metadata.name);
      assert.ok(d, `device of ${m.metadata.name}`);
      assert.equal(deviceIdFromProviderID(m.spec.providerID), d.id, `providerID of ${m.metadata.name}`);
    }

    for (const m of ms) await h.deleteMachine(m.metadata.name!);
    await runWithCrashes(async () => (await machines()).length === 0, "all deleted");
    await h.until(() => devices().length === 0, { stepMs: 5_000, maxMs: 20 * 60_000, what: "no device left" });
    assert.deepEqual(devices(), [], "no leaked device");
    assert.ok(crashes >= 12, `the controller was killed ${crashes} times`);
    console.log(
      `crash test: ${crashes} crashes; Metal requests: ${JSON.stringify(sim.counters.snapshot())}`,
    );
  } finally {
    await h.close();
    sim.close();
  }
});
