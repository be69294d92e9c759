/** Capacity per metro/facility and plan: exhaustion texts, restore on delete, advisory endpoints that agree. */
import assert from "node:assert/strict";
import { createDevice, setup, workerBody } from "./helpers.ts";

Deno.test('capacity: exhaustion is 422 "There aren\'t available servers in that metro"; restored when gone', async () => {
  const { sim, clock, api } = setup({ timings: { deprovisionVisibleMs: 1_000 } });
  const p = sim.defaultProjectId;
  sim.setCapacity("ny", "c3.small.x86", 2);
  const a = await createDevice(api, p);
  await createDevice(api, p);
  const full = await api.post(`/projects/${p}/devices`, workerBody());
  assert.equal(full.status, 422);
  assert.deepEqual(full.body, { errors: ["There aren't available servers in that metro"] });
  assert.equal((await api.post(`/projects/${p}/devices`, workerBody({ plan: "m3.small.x86" }))).status, 201);
  await api.del(`/devices/${a.id}`);
  await clock.advance(1_000);
  assert.equal((await api.post(`/projects/${p}/devices`, workerBody())).status, 201);
  // A plan not sold in a metro has no capacity there.
  const n3 = await api.post(`/projects/${p}/devices`, workerBody({ metro: "sy", plan: "n3.xlarge.x86" }));
  assert.deepEqual(n3.body, { errors: ["There aren't available servers in that metro"] });
});

Deno.test("capacity: GET /capacity/metros levels and POST /capacity/metros agree with the counts creates use", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  sim.setCapacity("ny", "c3.small.x86", 11);
  sim.setCapacity("da", "c3.small.x86", 0);
  const level = async (metro: string, plan: string) =>
    (await api.get("/capacity/metros")).body.capacity[metro][plan].level;
  assert.equal(await level("ny", "c3.small.x86"), "normal");
  assert.equal(await level("da", "c3.small.x86"), "unavailable");
  assert.equal(await level("sv", "m3.large.x86"), "normal");
  await createDevice(api, p);
  assert.equal(await level("ny", "c3.small.x86"), "limited", "10 left is limited");

  const check = await api.post("/capacity/metros", {
    servers: [
      { metro: "ny", plan: "c3.small.x86", quantity: 10 },
      { metro: "ny", plan: "c3.small.x86", quantity: "11" },
      { metro: "DA", plan: "c3.small.x86", quantity: 1 },
    ],
  });
  assert.equal(check.status, 200);
  assert.deepEqual(check.body.servers.map((s: { available: boolean }) => s.available), [true, false, false]);
  assert.deepEqual(check.body.servers.map((s: { quantity: unknown }) => s.quantity), [10, "11", 1], "echoed as sent");
  const bad = await api.post("/capacity/metros", { servers: [{ metro: "zz", plan: "c3.small.x86", quantity: 1 }] });
  assert.deepEqual(bad.body, { errors: ["zz is not a valid metro"] });

  for (let i = 0; i < 10; i++) await createDevice(api, p);
  assert.equal(await level("ny", "c3.small.x86"), "unavailable");
  assert.equal((await api.post(`/projects/${p}/devices`, workerBody())).status, 422);
});

Deno.test("capacity: facility requests use the facility texts; preference lists fall through; metro any", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  sim.setCapacity("ny5", "c3.small.x86", 0);
  const single = await api.post(`/projects/${p}/devices`, workerBody({ metro: undefined, facility: "ny5" }));
  assert.deepEqual(single.body, {
    errors: ["The facility ny5 has no provisionable c3.small.x86 servers matching your criteria"],
  });
  const listed = await createDevice(api, p, { metro: undefined, facility: ["ny5", "ny7", "any"] });
  assert.equal(listed.facility.code, "ny7");
  assert.equal(listed.metro.code, "ny");
  const viaMetro = await createDevice(api, p);
  assert.equal(viaMetro.facility.code, "ny7", "metro placement skips the full facility");
  const none = await api.post(`/projects/${p}/devices`, workerBody({ metro: undefined, facility: ["ny5", "xx1"] }));
  assert.deepEqual(none.body, { errors: ["Facility can't be blank"] }, "the real API's misleading text");
  sim.setCapacity("am", "c3.small.x86", 0);
  const any = await createDevice(api, p, { metro: "any" });
  assert.equal(any.metro.code, "at", "first metro of the catalogue with capacity");
});
