/** Fidelity traps §12.2 (asynchronous delete) and §12.17 (locked devices). */
import assert from "node:assert/strict";
import { createDevice, setup } from "./helpers.ts";

Deno.test("delete: 204 at once, listed as deprovisioning for the visibility window, then 404", async () => {
  const { sim, clock, api } = setup({ timings: { queuedMs: 0, provisioningMs: 0, deprovisionVisibleMs: 30_000 } });
  const d = await createDevice(api, sim.defaultProjectId);
  const r = await api.del(`/devices/${d.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.body, undefined);
  assert.ok(r.headers.get("x-request-id"));
  const during = await api.get(`/devices/${d.id}`);
  assert.equal(during.status, 200);
  assert.equal(during.body.state, "deprovisioning");
  const listed = await api.get(`/projects/${sim.defaultProjectId}/devices`);
  assert.deepEqual(listed.body.devices.map((x: { id: string; state: string }) => [x.id, x.state]), [[
    d.id,
    "deprovisioning",
  ]]);
  // A repeated delete while deprovisioning is accepted and does not extend the window.
  await clock.advance(20_000);
  assert.equal((await api.del(`/devices/${d.id}`)).status, 204);
  await clock.advance(10_000);
  const gone = await api.get(`/devices/${d.id}`);
  assert.equal(gone.status, 404);
  assert.deepEqual(gone.body, { errors: ["Not found"] });
  assert.equal((await api.get(`/projects/${sim.defaultProjectId}/devices`)).body.devices.length, 0);
  assert.equal((await api.del(`/devices/${d.id}`)).status, 404, "deleting a gone device is 404 (MCM: success)");
  assert.deepEqual(sim.devices({ includeDeleted: true }).map((x) => x.state), ["deleted"]);
  assert.deepEqual(sim.devices(), []);
});

Deno.test("delete: during provisioning cancels it; capacity and addresses come back when the device is gone", async () => {
  const { sim, clock, api } = setup({ timings: { deprovisionVisibleMs: 5_000 } });
  sim.setCapacity("ny", "c3.small.x86", 1);
  const d = await createDevice(api, sim.defaultProjectId);
  await clock.advance(25_000); // provisioning, addresses visible
  const ipsBefore = (await api.get(`/projects/${sim.defaultProjectId}/ips`)).body.ip_addresses.length;
  assert.equal((await api.del(`/devices/${d.id}`)).status, 204);
  const busy = await api.post(`/projects/${sim.defaultProjectId}/devices`, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
  });
  assert.equal(busy.status, 422, "the server is still held while deprovisioning");
  await clock.advance(100_000);
  assert.equal((await api.get(`/devices/${d.id}`)).status, 404, "never becomes active after a delete");
  const ipsAfter = (await api.get(`/projects/${sim.defaultProjectId}/ips`)).body.ip_addresses.length;
  assert.equal(ipsAfter, ipsBefore - 1, "the device's own public /31 block is released");
  assert.equal(
    (await api.post(`/projects/${sim.defaultProjectId}/devices`, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
    })).status,
    201,
  );
});

Deno.test("delete: force_delete as query parameter or JSON body (packngo) is accepted; a bad value is 422", async () => {
  const { sim, api } = setup();
  const a = await createDevice(api, sim.defaultProjectId);
  const b = await createDevice(api, sim.defaultProjectId);
  assert.equal((await api.del(`/devices/${a.id}?force_delete=true`)).status, 204);
  assert.equal((await api.del(`/devices/${b.id}`, { force_delete: false })).status, 204);
  const c = await createDevice(api, sim.defaultProjectId);
  const bad = await api.del(`/devices/${c.id}?force_delete=maybe`);
  assert.equal(bad.status, 422);
  assert.match(bad.body.errors[0], /force_delete/);
  assert.equal((await api.get(`/devices/${c.id}`)).body.state, "queued", "a refused delete changes nothing");
});

Deno.test("locked devices refuse deletion with 422 'Cannot delete a locked item' until unlocked", async () => {
  const { sim, api } = setup();
  const d = await createDevice(api, sim.defaultProjectId, { locked: true });
  assert.equal(d.locked, true);
  const refused = await api.del(`/devices/${d.id}`);
  assert.equal(refused.status, 422);
  assert.deepEqual(refused.body, { errors: ["Cannot delete a locked item"] });
  // packngo unlocks with PATCH {"locked": false}
  const unlocked = await api.patch(`/devices/${d.id}`, { locked: false });
  assert.equal(unlocked.status, 200);
  assert.equal(unlocked.body.locked, false);
  assert.equal((await api.del(`/devices/${d.id}`)).status, 204);

  const e = await createDevice(api, sim.defaultProjectId);
  sim.lockDevice(e.id, true);
  assert.equal((await api.del(`/devices/${e.id}`)).status, 422);
  assert.equal((await api.put(`/devices/${e.id}`, { locked: false })).body.locked, false);
  assert.equal((await api.del(`/devices/${e.id}`)).status, 204);
});

Deno.test("termination_time deletes the device when reached (unless locked)", async () => {
  const { sim, clock, api } = setup({ timings: { deprovisionVisibleMs: 1_000 } });
  const at = new Date(clock.now() + 3_600_000).toISOString();
  const d = await createDevice(api, sim.defaultProjectId, { termination_time: at });
  const locked = await createDevice(api, sim.defaultProjectId, { termination_time: at, locked: true });
  assert.equal(d.termination_time, at.replace(/\.\d{3}Z$/, "Z"));
  assert.equal(
    (await api.get(`/projects/${sim.defaultProjectId}/devices?has_termination_time=true`)).body.devices.length,
    2,
  );
  await clock.advance(3_600_000);
  assert.equal((await api.get(`/devices/${d.id}`)).body.state, "deprovisioning");
  assert.equal((await api.get(`/devices/${locked.id}`)).body.state, "active");
  await clock.advance(1_000);
  assert.equal((await api.get(`/devices/${d.id}`)).status, 404);
  const past = await api.post(`/projects/${sim.defaultProjectId}/devices`, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    termination_time: "2020-01-01T00:00:00Z",
  });
  assert.deepEqual(past.body, { errors: ["Termination time must be in the future"] });
});
