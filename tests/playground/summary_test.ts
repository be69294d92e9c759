/** Phase reports from counter snapshots and the summary text (pure). */
import assert from "node:assert/strict";
import { type CounterSnapshot, formatSummary, isDeviceEndpoint, phaseReport } from "../../src/playground/summary.ts";

const before: CounterSnapshot = {
  at: 1_000,
  metal: { "GET /projects/{id}/ssh-keys 200": 1, "GET /projects/{id}/devices 200": 2 },
  api: { "get workers": 10, "update leases": 5, "patch machines/status": 3 },
  simulationWrites: 4,
};
const after: CounterSnapshot = {
  at: 13_500,
  metal: {
    "GET /projects/{id}/ssh-keys 200": 2,
    "POST /projects/{id}/ssh-keys 201": 1,
    "GET /projects/{id}/devices 200": 6,
    "POST /projects/{id}/devices 201": 3,
    "POST /projects/{id}/devices 500": 1,
  },
  api: {
    "get workers": 50,
    "update leases": 9,
    "patch machines/status": 9,
    "create machines": 3,
    "patch workers/status": 2,
    "watch machines": 1,
  },
  simulationWrites: 7,
};

Deno.test("a phase: duration, Metal calls split into device calls by method and the rest, writes without leases and simulations", () => {
  const r = phaseReport("create", before, after, 3);
  assert.equal(r.durationMs, 12_500);
  assert.equal(r.metalCalls, 10);
  assert.equal(r.deviceCalls, 8);
  assert.deepEqual(r.deviceCallsByMethod, { GET: 4, POST: 4 });
  assert.deepEqual(r.metalByEndpoint, {
    "GET /projects/{id}/ssh-keys": 1,
    "POST /projects/{id}/ssh-keys": 1,
    "GET /projects/{id}/devices": 4,
    "POST /projects/{id}/devices": 4,
  });
  assert.equal(r.apiWrites, 15, "reads and watches are not writes");
  assert.equal(r.leaseWrites, 4);
  assert.equal(r.simulationWrites, 3);
  assert.equal(r.componentWrites, 8);
  assert.deepEqual(r.writesByResource, { "patch machines/status": 6, "create machines": 3, "patch workers/status": 2 });
  assert.ok(isDeviceEndpoint("/devices/{id}/actions") && !isDeviceEndpoint("/ssh-keys/{id}"));
});

Deno.test("the summary names every phase with its duration, calls per machine and writes", () => {
  const lines = formatSummary([phaseReport("create", before, after, 3), phaseReport("delete", after, after, 0)]);
  const text = lines.join("\n");
  assert.match(text, /^Summary$/m);
  assert.match(text, /^ {2}create +12\.5 s +3$/m);
  assert.match(text, /create +10 total: devices 8 = 2\.67 per machine \(GET 1\.33, POST 1\.33\), listings 0, other 2/);
  assert.match(text, /delete +0 total: devices 0 = - per machine, listings 0, other 0/);
  assert.match(text, /create +15 total: ours 8 \(2\.67 per machine\), leases 4, simulations 3/);
  assert.match(text, /all +15 total$/m);
});

Deno.test("listings of all devices (orphan collection) are counted apart from the machines' own device calls", () => {
  const r = phaseReport(
    "create",
    { ...before, metalListings: { "GET /projects/{id}/devices": 1 } },
    { ...after, metalListings: { "GET /projects/{id}/devices": 3 } },
    3,
  );
  assert.equal(r.deviceListings, 2);
  assert.equal(r.deviceCalls, 6);
  assert.deepEqual(r.deviceCallsByMethod, { GET: 2, POST: 4 });
  assert.match(
    formatSummary([r]).join("\n"),
    /create +10 total: devices 6 = 2\.00 per machine \(GET 0\.67, POST 1\.33\), listings 2, other 2/,
  );
});
