/** Fidelity trap §12.15: the wire-format variations real clients send are accepted. */
import assert from "node:assert/strict";
import { createDevice, setup } from "./helpers.ts";

Deno.test("create: packngo/autoscaler shapes — spot_price_max and customdata as strings, tags null, project_id", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p, {
    project_id: p,
    tags: null,
    customdata: '{"k":"v"}',
    spot_instance: true,
    spot_price_max: "0.42",
    userdata: "",
  });
  assert.deepEqual(d.tags, []);
  assert.deepEqual(d.customdata, { k: "v" });
  assert.equal(d.spot_instance, true);
  assert.equal(d.spot_price_max, 0.42);
  const numeric = await createDevice(api, p, { spot_instance: true, spot_price_max: 1.5, customdata: { a: 1 } });
  assert.equal(numeric.spot_price_max, 1.5);
  assert.deepEqual(numeric.customdata, { a: 1 });
  const bad = await api.post(`/projects/${p}/devices`, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    spot_price_max: "cheap",
    customdata: "not json",
  });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.errors.some((e: string) => e.startsWith("device.spot_price_max:")));
  assert.ok(bad.body.errors.some((e: string) => e.startsWith("device.customdata:")));
});

Deno.test("create: metro code in any case, metro list, facility as string or list", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  assert.equal((await createDevice(api, p, { metro: "NY" })).metro.code, "ny");
  assert.equal((await createDevice(api, p, { metro: "Da" })).metro.code, "da");
  assert.equal((await createDevice(api, p, { metro: ["sv", "any"] })).metro.code, "sv");
  const ny = (await api.get("/locations/metros")).body.metros.find((m: { code: string }) => m.code === "ny");
  assert.equal((await createDevice(api, p, { metro: ny.id })).metro.code, "ny", "metro by id");
  assert.equal((await createDevice(api, p, { metro: undefined, facility: "EWR1" })).facility.code, "ewr1");
  assert.equal((await createDevice(api, p, { metro: undefined, facility: ["am6", "any"] })).facility.code, "am6");
});

Deno.test("facility from an organisation created after the 2023 deprecation is refused with the real text", async () => {
  const { sim, api } = setup({
    seed: {
      organizations: [{ name: "new-org", facilitiesAllowed: false }],
      projects: [{ name: "p", organization: "new-org" }],
    },
  });
  const r = await api.post(`/projects/${sim.defaultProjectId}/devices`, {
    facility: "ny5",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
  });
  assert.equal(r.status, 422);
  assert.match(r.body.errors[0], /^The 'facility' parameter is not supported for organization [0-9a-f-]{36}\./);
  assert.equal((await createDevice(api, sim.defaultProjectId)).metro.code, "ny", "metro still works");
});

Deno.test("update: PUT and PATCH, tags null clears, DELETE with a JSON body, SSH key PATCH", async () => {
  const { sim, api } = setup();
  const d = await createDevice(api, sim.defaultProjectId, { tags: ["a", "b"] });
  const put = await api.put(`/devices/${d.id}`, { hostname: "renamed", description: "x", tags: ["b", "a"] });
  assert.equal(put.status, 200);
  assert.equal(put.body.hostname, "renamed");
  assert.equal(put.body.description, "x");
  assert.deepEqual(put.body.tags, ["b", "a"]);
  assert.deepEqual((await api.patch(`/devices/${d.id}`, { tags: null })).body.tags, []);
  assert.equal((await api.put(`/devices/${d.id}`, { billing_cycle: "fortnightly" })).status, 422);
  assert.equal((await api.del(`/devices/${d.id}`, { force_delete: false })).status, 204);
});
