/** Fidelity traps §12.7 (closed IPReservation field set), §12.13 (overloaded DELETE /ips/{id}), §12.14 (requests). */
import assert from "node:assert/strict";
import { createDevice, type Json, setup } from "./helpers.ts";

/** The IPReservation properties of the spec (`additionalProperties: false`; the Go SDK rejects anything else). */
const IP_RESERVATION_FIELDS = new Set([
  "addon",
  "address",
  "address_family",
  "assignments",
  "available",
  "bill",
  "cidr",
  "created_at",
  "customdata",
  "enabled",
  "details",
  "facility",
  "gateway",
  "global_ip",
  "href",
  "id",
  "manageable",
  "management",
  "metal_gateway",
  "metro",
  "netmask",
  "network",
  "project",
  "project_lite",
  "requested_by",
  "public",
  "state",
  "tags",
  "type",
]);

function assertClosed(r: Json): void {
  const extra = Object.keys(r).filter((k) => !IP_RESERVATION_FIELDS.has(k));
  assert.deepEqual(extra, [], `unknown IPReservation keys in ${r.id}`);
  assert.ok(["global_ipv4", "public_ipv4", "private_ipv4", "public_ipv6"].includes(r.type));
}

Deno.test("ip reservations: a request is allocated at once, with the CCM's tags, inside the closed field set", async () => {
  const { sim, clock, api } = setup();
  const p = sim.defaultProjectId;
  const tags = ["usage=cloud-provider-equinix-metal-auto", "service=Zm9vL2Jhcg==", "cluster=1234"];
  const r = await api.post(`/projects/${p}/ips`, {
    type: "public_ipv4",
    quantity: 1,
    metro: "ny",
    details: "Equinix Metal Kubernetes CCM auto-generated for Load Balancer",
    tags,
    fail_on_approval_required: true,
  });
  assert.equal(r.status, 201);
  assertClosed(r.body);
  assert.equal(r.body.state, "created");
  assert.equal(r.body.cidr, 32);
  assert.equal(r.body.netmask, "255.255.255.255");
  assert.equal(r.body.address, r.body.network);
  assert.equal(r.body.public, true);
  assert.equal(r.body.management, false);
  assert.deepEqual(r.body.tags, tags);
  assert.equal(r.body.metro.code, "ny");

  await createDevice(api, p); // adds the device's management blocks
  await clock.advance(60_000);
  const list = (await api.get(`/projects/${p}/ips?include=assignments`)).body;
  for (const item of list.ip_addresses) assertClosed(item);
  assert.deepEqual(
    list.ip_addresses.map((x: Json) => `${x.type}/${x.cidr}/${x.management}`).sort(),
    ["private_ipv4/25/true", "public_ipv4/31/true", "public_ipv4/32/false", "public_ipv6/56/true"],
  );
  assertClosed((await api.get(`/ips/${r.body.id}`)).body);
  const v4 = (await api.get(`/projects/${p}/ips?types=public_ipv4`)).body.ip_addresses;
  assert.equal(v4.length, 2);
});

Deno.test("ip reservations: over quota → 422 with fail_on_approval_required, else pending without address", async () => {
  const { sim, api } = setup({
    seed: { organizations: [{ name: "o" }], projects: [{ name: "p", organization: "o", publicIpv4Quota: 4 }] },
  });
  const p = sim.defaultProjectId;
  assert.equal((await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 4, metro: "sv" })).status, 201);
  const fail = await api.post(`/projects/${p}/ips`, {
    type: "public_ipv4",
    quantity: 1,
    metro: "sv",
    fail_on_approval_required: true,
  });
  assert.equal(fail.status, 422);
  const pending = await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 1, metro: "sv" });
  assert.equal(pending.status, 201);
  assertClosed(pending.body);
  assert.equal(pending.body.state, "pending");
  assert.equal("address" in pending.body, false);
  assert.equal((await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 3, metro: "sv" })).status, 422);
  assert.equal((await api.post(`/projects/${p}/ips`, { type: "vrf", quantity: 1 })).status, 422);
  assert.deepEqual((await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 1, metro: "qq" })).body, {
    errors: ["qq is not a valid metro"],
  });
});

Deno.test("DELETE /ips/{id}: an assignment id unassigns, a reservation id releases (after unassigning)", async () => {
  const { sim, api } = setup({ timings: { queuedMs: 0, provisioningMs: 0 } });
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p);
  const eip = (await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 1, metro: "ny" })).body;
  const assigned = await api.post(`/devices/${d.id}/ips`, { address: `${eip.address}/32` });
  assert.equal(assigned.status, 201);
  assert.equal(assigned.body.type, "IPAssignment");
  assert.equal(assigned.body.management, false);
  assert.equal(assigned.body.address, eip.address);
  assert.equal((await api.post(`/devices/${d.id}/ips`, { address: eip.address })).status, 422, "already assigned");
  assert.equal((await api.get(`/devices/${d.id}/ips`)).body.ip_addresses.length, 4);
  assert.equal((await api.get(`/ips/${assigned.body.id}`)).body.type, "IPAssignment");
  const withAssignments = (await api.get(`/ips/${eip.id}?include=assignments`)).body;
  assert.equal(withAssignments.assignments[0].address, eip.address);

  const refused = await api.del(`/ips/${eip.id}`);
  assert.equal(refused.status, 422, "a reservation with assignments is not released");
  assert.equal((await api.del(`/ips/${assigned.body.id}`)).status, 204);
  assert.equal((await api.get(`/devices/${d.id}/ips`)).body.ip_addresses.length, 3);
  assert.equal((await api.del(`/ips/${eip.id}`)).status, 204);
  assert.equal((await api.get(`/ips/${eip.id}`)).status, 404);

  const mgmt = (await api.get(`/devices/${d.id}`)).body.ip_addresses[0];
  assert.equal((await api.del(`/ips/${mgmt.id}`)).status, 422, "management addresses stay with the device");
  const patched = await api.patch(`/ips/${mgmt.id}`, { tags: ["x"] });
  assert.equal(patched.status, 200);
});
