/** Fidelity trap §12.1: asynchronous provisioning, percentage only while provisioning, IPs appear midway, failures. */
import assert from "node:assert/strict";
import {
  DEFAULT_TIMINGS,
  type Lifecycle,
  planProvisioning,
  provisioningPercentageAt,
  stateAt,
  withAction,
  withDeletion,
} from "../../../src/sim/metal/lifecycle.ts";
import { createDevice, setup } from "./helpers.ts";

Deno.test("lifecycle: the state is read off the timeline at any instant", () => {
  const t = { ...DEFAULT_TIMINGS, queuedMs: 1000, provisioningMs: 4000 };
  const lc = planProvisioning(0, t, "active");
  assert.deepEqual(stateAt(lc, 0), "queued");
  assert.deepEqual(stateAt(lc, 999), "queued");
  assert.deepEqual(stateAt(lc, 1000), "provisioning");
  assert.deepEqual(provisioningPercentageAt(lc, 2000), 25);
  assert.deepEqual(provisioningPercentageAt(lc, 999), undefined);
  assert.deepEqual(stateAt(lc, 5000), "active");
  assert.deepEqual(provisioningPercentageAt(lc, 5000), undefined);
  const deleted = withDeletion(lc, 2000, 500);
  assert.deepEqual(stateAt(deleted, 2000), "deprovisioning");
  assert.deepEqual(stateAt(deleted, 2499), "deprovisioning");
  assert.deepEqual(stateAt(deleted, 2500), "gone");
  // Deleting during provisioning cancels the pending transition to active.
  assert.deepEqual(stateAt(deleted, 1_000_000), "gone");
  assert.deepEqual(provisioningPercentageAt(deleted, 2100), undefined);
});

function accepted(r: Lifecycle | { error: string }): Lifecycle {
  if ("error" in r) throw new Error(`action refused: ${r.error}`);
  return r;
}

Deno.test("lifecycle: actions are accepted only from the states that allow them", () => {
  const t = { ...DEFAULT_TIMINGS, queuedMs: 0, provisioningMs: 0, powerTransitionMs: 100 };
  const lc = planProvisioning(0, t, "active");
  const refused = withAction(lc, 10, "power_on", t);
  assert.ok("error" in refused && refused.error.includes("active"));
  const off = accepted(withAction(lc, 10, "power_off", t));
  assert.deepEqual(stateAt(off, 50), "powering_off");
  assert.deepEqual(stateAt(off, 110), "inactive");
  const on = accepted(withAction(off, 200, "power_on", t));
  assert.deepEqual(stateAt(on, 250), "powering_on");
  assert.deepEqual(stateAt(on, 300), "active");
});

Deno.test("devices: 201 returns queued, then provisioning with a percentage, IPs midway, then active", async () => {
  const { sim, clock, api } = setup({ timings: { queuedMs: 10_000, provisioningMs: 60_000 } });
  const created = await createDevice(api, sim.defaultProjectId);
  assert.deepEqual(created.state, "queued");
  assert.deepEqual("provisioning_percentage" in created, false);
  assert.deepEqual(created.ip_addresses, []);

  await clock.advance(10_000);
  let d = (await api.get(`/devices/${created.id}`)).body;
  assert.deepEqual(d.state, "provisioning");
  assert.deepEqual(d.provisioning_percentage, 0);
  assert.deepEqual(d.ip_addresses, [], "no addresses at the start of provisioning");

  await clock.advance(30_000);
  d = (await api.get(`/devices/${created.id}`)).body;
  assert.deepEqual(d.state, "provisioning");
  assert.deepEqual(d.provisioning_percentage, 50);
  assert.deepEqual(d.ip_addresses.length, 3, "addresses appear during provisioning");

  await clock.advance(30_000);
  d = (await api.get(`/devices/${created.id}`)).body;
  assert.deepEqual(d.state, "active");
  assert.deepEqual("provisioning_percentage" in d, false);
  assert.deepEqual(
    d.ip_addresses.map((a: { address_family: number; public: boolean }) => `${a.address_family}/${a.public}`),
    ["4/true", "4/false", "6/true"],
  );
  assert.deepEqual(d.actions.map((a: { type: string }) => a.type).includes("power_off"), true);
});

Deno.test("devices: failNextCreates('failed') ends provisioning in the visible failed state", async () => {
  const { sim, clock, api } = setup();
  sim.failNextCreates(1, "failed");
  const bad = await createDevice(api, sim.defaultProjectId);
  const good = await createDevice(api, sim.defaultProjectId);
  await clock.advance(DEFAULT_TIMINGS.queuedMs + DEFAULT_TIMINGS.provisioningMs);
  assert.deepEqual((await api.get(`/devices/${bad.id}`)).body.state, "failed");
  assert.deepEqual((await api.get(`/devices/${good.id}`)).body.state, "active");
  // A failed device can still be deleted.
  assert.deepEqual((await api.del(`/devices/${bad.id}`)).status, 204);
});

Deno.test("devices: failNextCreates('vanish-403') hides the device behind 403 until the operator removes it", async () => {
  const { sim, clock, api } = setup({ timings: { vanishedGoneMs: 60_000 } });
  sim.setCapacity("ny", "c3.small.x86", 1);
  sim.failNextCreates(1, "vanish-403");
  const d = await createDevice(api, sim.defaultProjectId);
  await clock.advance(DEFAULT_TIMINGS.queuedMs + DEFAULT_TIMINGS.provisioningMs - 1);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).status, 200, "visible while provisioning");
  await clock.advance(1);
  const r = await api.get(`/devices/${d.id}`);
  assert.deepEqual(r.status, 403);
  assert.deepEqual(r.body, { errors: ["You are not authorized to view this device"] });
  assert.deepEqual((await api.del(`/devices/${d.id}`)).status, 403);
  const list = await api.get(`/projects/${sim.defaultProjectId}/devices`);
  assert.deepEqual(list.body.devices.length, 0, "a vanished device is not listed");
  assert.deepEqual(sim.devices()[0].vanished, true);
  // It still holds its server until it is removed.
  assert.deepEqual(
    (await api.post(`/projects/${sim.defaultProjectId}/devices`, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
    })).status,
    422,
  );
  await clock.advance(60_000);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).status, 404);
  assert.deepEqual(sim.devices().length, 0);
  assert.deepEqual(
    (await api.post(`/projects/${sim.defaultProjectId}/devices`, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
    })).status,
    201,
  );
});

Deno.test("devices: power actions move through powering_off/inactive and back; wrong state is 422", async () => {
  const { sim, clock, api } = setup({ timings: { queuedMs: 0, provisioningMs: 0, powerTransitionMs: 5_000 } });
  const d = await createDevice(api, sim.defaultProjectId);
  assert.deepEqual((await api.post(`/devices/${d.id}/actions`, { type: "power_on" })).status, 422);
  const off = await api.post(`/devices/${d.id}/actions`, { type: "power_off" });
  assert.deepEqual(off.status, 202);
  assert.deepEqual(off.body, undefined);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).body.state, "powering_off");
  await clock.advance(5_000);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).body.state, "inactive");
  assert.deepEqual((await api.post(`/devices/${d.id}/actions`, { type: "power_on" })).status, 202);
  await clock.advance(5_000);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).body.state, "active");
  const bad = await api.post(`/devices/${d.id}/actions`, { type: "explode" });
  assert.deepEqual(bad.status, 422);
  assert.ok(bad.body.errors[0].startsWith("action.type"));
  sim.setTimings({ provisioningMs: 60_000 }); // applies to what happens from now on
  const reinstall = await api.post(`/devices/${d.id}/actions`, { type: "reinstall", operating_system: "ubuntu_24_04" });
  assert.deepEqual(reinstall.status, 202);
  const during = (await api.get(`/devices/${d.id}`)).body;
  assert.deepEqual(during.state, "reinstalling");
  assert.deepEqual(during.operating_system.slug, "ubuntu_24_04");
  await clock.advance(60_000);
  assert.deepEqual((await api.get(`/devices/${d.id}`)).body.state, "active");
});
