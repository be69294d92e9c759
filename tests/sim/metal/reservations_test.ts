/** Fidelity trap §12.16: hardware reservations (next-available, busy/spare/other plan, cool-down after delete). */
import assert from "node:assert/strict";
import type { SeedData } from "../../../src/sim/metal/mod.ts";
import { createDevice, setup, workerBody } from "./helpers.ts";

const RES = {
  a: "11111111-1111-4111-8111-111111111111",
  b: "22222222-2222-4222-8222-222222222222",
  spare: "33333333-3333-4333-8333-333333333333",
  m3: "44444444-4444-4444-8444-444444444444",
  da: "55555555-5555-4555-8555-555555555555",
};

const SEED: SeedData = {
  organizations: [{ name: "org" }],
  projects: [{ name: "p", organization: "org" }],
  hardwareReservations: [
    { id: RES.spare, project: "p", plan: "c3.small.x86", facility: "ny5", spare: true },
    { id: RES.a, project: "p", plan: "c3.small.x86", facility: "ny5" },
    { id: RES.b, project: "p", plan: "c3.small.x86", facility: "ny7" },
    { id: RES.m3, project: "p", plan: "m3.small.x86", facility: "ny5" },
    { id: RES.da, project: "p", plan: "c3.small.x86", facility: "da11" },
  ],
};

Deno.test("reservations: list with provisionable=only and state, paging, and get", async () => {
  const { sim, api } = setup({ seed: SEED });
  const p = sim.defaultProjectId;
  const all = (await api.get(`/projects/${p}/hardware-reservations`)).body;
  assert.equal(all.hardware_reservations.length, 5);
  assert.equal(all.meta.total, 5);
  const prov = (await api.get(`/projects/${p}/hardware-reservations?provisionable=only`)).body;
  assert.deepEqual(prov.hardware_reservations.map((r: { id: string }) => r.id), [RES.a, RES.b, RES.m3, RES.da]);
  const spare = (await api.get(`/projects/${p}/hardware-reservations?state=spare`)).body;
  assert.deepEqual(spare.hardware_reservations.map((r: { id: string }) => r.id), [RES.spare]);
  const page = (await api.get(`/projects/${p}/hardware-reservations?per_page=2&page=3`)).body;
  assert.equal(page.hardware_reservations.length, 1);
  assert.equal(page.meta.last_page, 3);
  const one = (await api.get(`/hardware-reservations/${RES.a}`)).body;
  assert.equal(one.short_id, RES.a.slice(0, 8));
  assert.equal(one.provisionable, true);
  assert.equal(one.spare, false);
  assert.equal(one.plan.slug, "c3.small.x86");
  assert.equal(one.facility.code, "ny5");
  assert.deepEqual(one.project, { href: `/metal/v1/projects/${p}` });
  assert.equal("device" in one, false, "a free reservation has no device");
  assert.equal((await api.get(`/projects/${p}/hardware-reservations?provisionable=yes`)).status, 422);
});

Deno.test("reservations: creating on one links device and reservation; busy, spare, other plan, other metro fail", async () => {
  const { sim, api } = setup({ seed: SEED });
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p, { hardware_reservation_id: RES.a });
  assert.equal(d.facility.code, "ny5");
  assert.deepEqual(d.hardware_reservation, { href: `/metal/v1/hardware-reservations/${RES.a}` });
  const r = (await api.get(`/hardware-reservations/${RES.a}`)).body;
  assert.equal(r.provisionable, false);
  assert.deepEqual(r.device, { href: `/metal/v1/devices/${d.id}` });
  assert.equal((await api.get(`/projects/${p}/devices?reserved=true`)).body.devices.length, 1);

  const busy = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.a }));
  assert.equal(busy.status, 422);
  assert.match(busy.body.errors[0], /Server is not provisionable/);
  const spare = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.spare }));
  assert.equal(spare.status, 422);
  assert.match(spare.body.errors[0], /Server is not provisionable/);
  const otherPlan = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.m3 }));
  assert.equal(otherPlan.status, 422);
  assert.match(otherPlan.body.errors[0], /m3\.small\.x86/);
  const otherMetro = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.da }));
  assert.equal(otherMetro.status, 422);
  const foreign = await api.post(
    `/projects/${p}/devices`,
    workerBody({ hardware_reservation_id: "66666666-6666-4666-8666-666666666666" }),
  );
  assert.deepEqual(foreign.body, {
    errors: ["66666666-6666-4666-8666-666666666666 is not a valid hardware reservation"],
  });
  assert.equal(sim.devices().length, 1, "failed creates leave nothing behind");
});

Deno.test("reservations: next-available takes a provisionable non-spare one of the plan in the metro; none → 503", async () => {
  const { sim, api } = setup({ seed: SEED });
  const p = sim.defaultProjectId;
  const first = await createDevice(api, p, { hardware_reservation_id: "next-available" });
  const second = await createDevice(api, p, { hardware_reservation_id: "next-available" });
  const used = [first, second].map((d) => d.hardware_reservation.href.split("/").pop()).sort();
  assert.deepEqual(used, [RES.a, RES.b].sort(), "never the spare, never m3, never the Dallas one");
  const none = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: "next-available" }));
  assert.equal(none.status, 503);
  assert.deepEqual(none.body, {
    errors: ["There are no available hardware reservations for selected plan and facility"],
  });
  const dallas = await createDevice(api, p, { metro: "da", hardware_reservation_id: "next-available" });
  assert.equal(dallas.hardware_reservation.href, `/metal/v1/hardware-reservations/${RES.da}`);
});

Deno.test("reservations: after the device is deleted the reservation stays unprovisionable for the cool-down", async () => {
  const { sim, clock, api } = setup({
    seed: SEED,
    timings: { deprovisionVisibleMs: 10_000, reservationCooldownMs: 240_000 },
  });
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p, { hardware_reservation_id: RES.a });
  assert.equal((await api.del(`/devices/${d.id}`)).status, 204);
  await clock.advance(10_000);
  assert.equal((await api.get(`/devices/${d.id}`)).status, 404);
  const cooling = (await api.get(`/hardware-reservations/${RES.a}`)).body;
  assert.equal(cooling.provisionable, false);
  assert.equal("device" in cooling, false);
  const listed = (await api.get(`/projects/${p}/hardware-reservations?provisionable=only`)).body;
  assert.ok(!listed.hardware_reservations.some((r: { id: string }) => r.id === RES.a), "list and get agree");
  const refused = await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.a }));
  assert.equal(refused.status, 422);
  assert.match(refused.body.errors[0], /Server is not provisionable/);
  await clock.advance(230_000);
  assert.equal((await api.get(`/hardware-reservations/${RES.a}`)).body.provisionable, true);
  assert.equal((await api.post(`/projects/${p}/devices`, workerBody({ hardware_reservation_id: RES.a }))).status, 201);
});
