/**
 * The demo's lines, rendered from the scenario's reports (pure): the output format users and scripts read stays
 * specified here, while the end-to-end tests assert on the reports themselves.
 */
import assert from "node:assert/strict";
import type { ShootObjects } from "../../src/sim/gardenlet/mod.ts";
import type { PhaseReport } from "../../src/playground/summary.ts";
import {
  createdLine,
  deletedLine,
  NOTES,
  rolledLine,
  rollingUpdateLine,
  runningLine,
  startupLines,
  steadyStateLine,
} from "../../src/playground/texts.ts";

function phase(name: string, over: Partial<PhaseReport> = {}): PhaseReport {
  return {
    name,
    durationMs: 12_340,
    machines: 3,
    metalCalls: 0,
    deviceCalls: 0,
    deviceCallsByMethod: {},
    deviceListings: 0,
    metalByEndpoint: {},
    apiWrites: 0,
    leaseWrites: 0,
    simulationWrites: 0,
    componentWrites: 0,
    writesByResource: {},
    ...over,
  };
}

const shoot = (technicalId: string) => ({ technicalId }) as ShootObjects;

Deno.test("a phase's line from its report: created, rolling update (one shoot, several), rolled, deleted", () => {
  const milestones = { allRunningMs: 21_049, infrastructuresReadyMs: 3_000, workersReadyMs: 20_951 };
  assert.equal(
    createdLine({ ...phase("create"), milestones, liveDevices: 3 }),
    "created: all 3 machines Running after 21.0 s, Workers ready after 21.0 s; exactly one device per machine",
  );
  const change = { shoot: shoot("shoot--garden--a"), pool: "pool-a", from: "c3.small.x86", to: "m3.small.x86" };
  assert.equal(
    rollingUpdateLine({ changes: [change], machines: 1 }),
    "rolling update: pool pool-a c3.small.x86 → m3.small.x86 (1 machine(s))",
  );
  assert.equal(
    rollingUpdateLine({ changes: [change, { ...change, shoot: shoot("shoot--garden--b") }], machines: 2 }),
    "rolling update: pool pool-a c3.small.x86 → m3.small.x86 in each of the 2 shoots",
  );
  assert.equal(
    rollingUpdateLine({ changes: [], machines: 0 }),
    "rolling update: skipped (no CloudProfile offers another machine type of the pool's architecture)",
  );
  const plan = { changes: [change], machines: 1 };
  assert.equal(
    rolledLine({ ...phase("rolling update", { machines: 1 }), plan }),
    "rolled: 1 machine(s) replaced in 12.3 s",
  );
  assert.equal(
    deletedLine({ ...phase("delete"), liveDevices: 0, devicesKeyChecked: 5 }),
    "deleted: every shoot gone after 12.3 s; no device left; " +
      "none of the 5 device(s) of the run carried an SSH key its shoot did not ask for",
  );
});

Deno.test("the steady state's line: the window, lease writes, other writes by resource if any, Metal API calls", () => {
  const quiet = phase("steady state", { durationMs: 600_000, apiWrites: 520, leaseWrites: 520 });
  assert.equal(
    steadyStateLine({ ...quiet, windowMs: 600_000, otherWrites: 0 }),
    "steady state: 10.0 min without changes: 520 lease writes, 0 other writes, 0 Metal API calls",
  );
  const busy = phase("steady state", {
    apiWrites: 525,
    leaseWrites: 520,
    metalCalls: 2,
    writesByResource: { "patch machines/status": 3, "create events": 2 },
  });
  assert.equal(
    steadyStateLine({ ...busy, windowMs: 90_000, otherWrites: 5 }),
    "steady state: 1.5 min without changes: 520 lease writes, 5 other writes (patch machines/status 3, " +
      "create events 2), 2 Metal API calls",
  );
});

Deno.test("start-up: kubeconfigs (three shoots named, the rest counted), the Metal simulator and seed, the notes", () => {
  const facts = {
    seedKubeconfig: "/tmp/p/kubeconfig",
    shootKubeconfigs: ["a", "b", "c", "d", "e"].map((s) => `/tmp/p/shoot-${s}.kubeconfig`),
    dir: "/tmp/p",
    metalUrl: "http://127.0.0.1:4000",
    metalProjectId: "p-1",
    provisioningSeconds: 5,
    randomSeed: 42,
  };
  assert.deepEqual(startupLines(facts), [
    "kubeconfig: /tmp/p/kubeconfig",
    "shoot kubeconfig: /tmp/p/shoot-a.kubeconfig",
    "shoot kubeconfig: /tmp/p/shoot-b.kubeconfig",
    "shoot kubeconfig: /tmp/p/shoot-c.kubeconfig",
    "… and 2 more shoot kubeconfigs in /tmp/p",
    "Metal API simulator: http://127.0.0.1:4000 (project p-1; devices take 5 s to provision) · random seed 42",
    ...NOTES,
  ]);
  assert.equal(runningLine(1, "in-process"), "running: extension and 1 machine controller(s) in-process");
  assert.equal(runningLine(3, "subprocess"), "running: extension and 3 machine controller(s) as subprocesses");
});
