/** Fidelity trap §12.8: what is expanded by default, what only with `include`, and `exclude`. */
import assert from "node:assert/strict";
import { createDevice, setup } from "./helpers.ts";

Deno.test("device: metro, plan, OS and facility always expanded; project and parent_block only when included", async () => {
  const { sim, clock, api } = setup();
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p);
  assert.equal(d.metro.code, "ny", "MCM reads metro.code from the create response");
  assert.equal(d.plan.slug, "c3.small.x86");
  assert.equal(d.operating_system.slug, "flatcar_stable");
  assert.equal(d.facility.code, "ny5");
  assert.equal(d.facility.metro.code, "ny");
  assert.deepEqual(d.project, { href: `/metal/v1/projects/${p}` });
  assert.deepEqual(d.project_lite, { href: `/metal/v1/projects/${p}` });
  assert.equal("hardware_reservation" in d, false, "on-demand devices have no reservation");

  await clock.advance(60_000);
  const plain = (await api.get(`/devices/${d.id}`)).body;
  const priv = plain.ip_addresses.find((a: { public: boolean }) => !a.public);
  assert.deepEqual(Object.keys(priv.parent_block), ["href"], "without include the extension sees no network");

  const full = (await api.get(`/devices/${d.id}?include=ip_addresses.parent_block,parent_block`)).body;
  const block =
    full.ip_addresses.find((a: { public: boolean; address_family: number }) => !a.public && a.address_family === 4)
      .parent_block;
  assert.equal(block.cidr, 25);
  assert.equal(block.netmask, "255.255.255.128");
  assert.match(block.network, /^10\.\d+\.\d+\.(0|128)$/);
  assert.match(block.href, /^\/metal\/v1\/ips\//);
  const v6 = full.ip_addresses.find((a: { address_family: number }) => a.address_family === 6);
  assert.equal(v6.cidr, 127);
  assert.equal(v6.parent_block.cidr, 56);
  const v4pub = full.ip_addresses.find((a: { public: boolean; address_family: number }) =>
    a.public && a.address_family === 4
  );
  assert.equal(v4pub.cidr, 31);
  assert.equal(v4pub.management, true);
  assert.equal(v4pub.type, "IPAssignment");

  const withProject = (await api.get(`/devices/${d.id}?include=project`)).body;
  assert.equal(withProject.project.name, "gardener-dev");
  assert.deepEqual(withProject.project.organization, {
    href: `/metal/v1/organizations/${sim.seed.organizations[0].id}`,
  });

  const excluded = (await api.get(`/devices/${d.id}?exclude=plan,metro,ip_addresses`)).body;
  assert.deepEqual(Object.keys(excluded.plan), ["href"]);
  assert.deepEqual(Object.keys(excluded.metro), ["href"]);
  assert.ok(excluded.ip_addresses.every((a: Record<string, unknown>) => Object.keys(a).join() === "href"));
});

Deno.test("device on a reservation: hardware_reservation is {href} unless included", async () => {
  const { sim, api } = setup();
  const d = await createDevice(api, sim.defaultProjectId, { hardware_reservation_id: "next-available" });
  assert.deepEqual(Object.keys(d.hardware_reservation), ["href"]);
  const inc = (await api.get(`/devices/${d.id}?include=hardware_reservation`)).body;
  assert.equal(inc.hardware_reservation.provisionable, false);
  assert.deepEqual(inc.hardware_reservation.device, { href: `/metal/v1/devices/${d.id}` });
  const hr = (await api.get(`/hardware-reservations/${inc.hardware_reservation.id}?include=device`)).body;
  assert.equal(hr.device.id, d.id);
  assert.equal(hr.device.hostname, d.hostname);
});

Deno.test("device ssh_keys are {href}; include=ssh_keys expands them", async () => {
  const { sim, api } = setup();
  const key = (await api.post(`/projects/${sim.defaultProjectId}/ssh-keys`, {
    label: "infra",
    key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIhNtA2V3BKYIh1KcKlBOngqfbeOupN0CNCUPGRNiAXj x",
  })).body;
  const d = await createDevice(api, sim.defaultProjectId, { project_ssh_keys: [key.id] });
  assert.deepEqual(d.ssh_keys, [{ href: `/metal/v1/ssh-keys/${key.id}` }]);
  const inc = (await api.get(`/devices/${d.id}?include=ssh_keys`)).body;
  assert.equal(inc.ssh_keys[0].fingerprint, key.fingerprint);
});

Deno.test("facilities: address excluded by default, included on request; deprecation headers", async () => {
  const { api } = setup();
  const r = await api.get("/facilities");
  assert.equal(r.status, 200);
  assert.ok(r.headers.get("deprecation"));
  assert.ok(r.headers.get("sunset"));
  assert.match(r.headers.get("link")!, /rel="deprecation"/);
  const codes = r.body.facilities.map((f: { code: string }) => f.code);
  for (const code of ["ny5", "ny7", "ewr1", "da11", "sv15", "am6", "fr2"]) assert.ok(codes.includes(code), code);
  assert.equal(r.body.facilities.find((f: { code: string }) => f.code === "ewr1").metro.code, "ny");
  assert.ok(r.body.facilities.every((f: Record<string, unknown>) => !("address" in f)));
  const withAddress = (await api.get("/facilities?include=address")).body.facilities;
  assert.ok(
    withAddress.every((f: { address: { address: string; country: string; zip_code: string } }) =>
      f.address.address && f.address.country && f.address.zip_code
    ),
  );
});
