/** Fidelity trap §12.21: every id is a UUID (v4), short_id its first 8 hex chars; seeded runs are reproducible. */
import assert from "node:assert/strict";
import { MetalSimulator } from "../../../src/sim/metal/mod.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { createDevice, type Json, rawApi, setup } from "./helpers.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function collectIds(value: Json, out: Array<[string, string]> = [], path = ""): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((v, i) => collectIds(v, out, `${path}[${i}]`));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "id" && typeof v === "string") out.push([`${path}.id`, v]);
      else collectIds(v, out, `${path}.${k}`);
    }
  }
  return out;
}

Deno.test("ids: every id in responses is a UUID v4; short_id is its prefix; hrefs are /metal/v1", async () => {
  const { sim, clock, api } = setup();
  const d = await createDevice(api, sim.defaultProjectId, { hardware_reservation_id: "next-available" });
  await clock.advance(60_000);
  const bodies = [
    (await api.get(`/devices/${d.id}?include=project,hardware_reservation,ssh_keys,ip_addresses.parent_block`)).body,
    (await api.get(`/projects/${sim.defaultProjectId}/hardware-reservations`)).body,
    (await api.get(`/projects/${sim.defaultProjectId}/ips`)).body,
    (await api.get("/plans")).body,
    (await api.get("/operating-systems")).body,
    (await api.get("/facilities")).body,
    (await api.get("/user")).body,
  ];
  const ids = bodies.flatMap((b) => collectIds(b));
  assert.ok(ids.length > 50);
  for (const [path, id] of ids) assert.match(id, UUID_V4, path);
  const device = bodies[0];
  assert.equal(device.short_id, device.id.slice(0, 8));
  assert.equal(device.href, `/metal/v1/devices/${device.id}`);
  assert.equal(device.hardware_reservation.short_id, device.hardware_reservation.id.slice(0, 8));
  // Resource hrefs are under /metal/v1; pagination links (meta) are relative to the API root, as packngo follows them.
  const withoutMeta = JSON.stringify(bodies, (k, v) => (k === "meta" ? undefined : v));
  const hrefs = withoutMeta.match(/"href":"[^"]*"/g)!;
  assert.ok(hrefs.length > 20);
  for (const h of hrefs) assert.ok(h.startsWith('"href":"/metal/v1/'), h);
});

Deno.test("ids: the same randomSeed gives the same ids, tokens and addresses", async () => {
  const run = async () => {
    const sim = new MetalSimulator({ clock: new FakeClock(), randomSeed: 99 });
    const d = await createDevice(rawApi(sim), sim.defaultProjectId);
    return {
      token: sim.defaultToken,
      project: sim.defaultProjectId,
      device: d.id,
      addresses: sim.devices()[0].addresses,
    };
  };
  const a = await run();
  assert.deepEqual(await run(), a);
  const other = new MetalSimulator({ clock: new FakeClock(), randomSeed: 100 });
  assert.notEqual(other.defaultProjectId, a.project);
  assert.match(a.token, /^[A-Za-z0-9]{32}$/);
});
