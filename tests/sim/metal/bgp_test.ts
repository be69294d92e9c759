/** Fidelity trap §12.12 and the CCM's start-up calls: BGP config, device sessions and neighbours. */
import assert from "node:assert/strict";
import { createDevice, setup } from "./helpers.ts";

Deno.test("bgp config: 200 {} until requested; 204 on request; a second request is 422; then the config", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const empty = await api.get(`/projects/${p}/bgp-config`);
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, {});
  const bad = await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "sideways" });
  assert.equal(bad.status, 422);
  assert.match(bad.body.errors[0], /^bgp_config\.deployment_type:/);
  const weakMd5 = await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "local", md5: "short" });
  assert.equal(weakMd5.status, 422);
  // The CCM sends md5 "" when no password is configured.
  const req = await api.post(`/projects/${p}/bgp-configs`, {
    asn: 65000,
    deployment_type: "local",
    md5: "",
    use_case: "kubernetes-load-balancer",
  });
  assert.equal(req.status, 204);
  assert.equal(req.body, undefined);
  const again = await api.post(`/projects/${p}/bgp-configs`, { asn: 65001, deployment_type: "local" });
  assert.equal(again.status, 422);
  const cfg = (await api.get(`/projects/${p}/bgp-config`)).body;
  assert.match(cfg.id, /^[0-9a-f-]{36}$/);
  assert.equal(cfg.asn, 65000, "the config cannot be changed afterwards");
  assert.equal(cfg.status, "enabled");
  assert.equal(cfg.deployment_type, "local");
  assert.equal(cfg.md5, null);
  assert.equal(cfg.max_prefix, 10);
  assert.equal((await api.get(`/projects/${sim.seed.projects[1].id}/bgp-config`)).status, 403);
});

Deno.test("bgp sessions: 'BGP is not enabled' before the config; 201; duplicate family 422 'already has session'", async () => {
  const { sim, clock, api } = setup();
  const p = sim.defaultProjectId;
  const d = await createDevice(api, p);
  const early = await api.post(`/devices/${d.id}/bgp/sessions`, { address_family: "ipv4" });
  assert.equal(early.status, 422);
  assert.deepEqual(early.body, { errors: ["BGP is not enabled"] });
  await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "local", md5: "Secret12345" });
  assert.deepEqual((await api.get(`/devices/${d.id}/bgp/neighbors`)).body, { bgp_neighbors: [] });

  const s = await api.post(`/devices/${d.id}/bgp/sessions`, { address_family: "ipv4", default_route: false });
  assert.equal(s.status, 201);
  assert.equal(s.body.address_family, "ipv4");
  assert.equal(s.body.status, "unknown");
  assert.deepEqual(s.body.device, { href: `/metal/v1/devices/${d.id}` });
  const dup = await api.post(`/devices/${d.id}/bgp/sessions`, { address_family: "ipv4" });
  assert.equal(dup.status, 422);
  assert.deepEqual(dup.body, { errors: ["Address family already has session with ipv4"] });

  await clock.advance(60_000);
  const n = (await api.get(`/devices/${d.id}/bgp/neighbors`)).body.bgp_neighbors;
  assert.equal(n.length, 1);
  assert.equal(n[0].address_family, 4);
  assert.equal(n[0].customer_as, 65000);
  assert.equal(n[0].peer_as, 65530);
  assert.deepEqual(n[0].peer_ips, ["169.254.255.1", "169.254.255.2"]);
  assert.equal(n[0].md5_enabled, true);
  assert.equal(n[0].md5_password, "Secret12345");
  const dev = (await api.get(`/devices/${d.id}`)).body;
  const priv = dev.ip_addresses.find((a: { public: boolean; address_family: number }) =>
    !a.public && a.address_family === 4
  );
  assert.equal(n[0].customer_ip, priv.address);
  assert.deepEqual(n[0].routes_in, [{ route: `${priv.network}/31`, exact: true }]);

  const listed = (await api.get(`/devices/${d.id}/bgp/sessions`)).body.bgp_sessions;
  assert.equal(listed[0].status, "up,up");
  assert.equal((await api.get(`/projects/${p}/bgp/sessions`)).body.bgp_sessions.length, 1);
  // PUT takes the spec's bare boolean and packngo's object.
  const put = await api.put(`/bgp/sessions/${s.body.id}`, true);
  assert.equal(put.status, 200);
  assert.equal(put.body, undefined, "the spec documents no body");
  assert.equal((await api.get(`/bgp/sessions/${s.body.id}`)).body.default_route, true);
  assert.equal((await api.put(`/bgp/sessions/${s.body.id}`, { default_route: false })).status, 200);
  assert.equal((await api.get(`/bgp/sessions/${s.body.id}`)).body.default_route, false);
  assert.equal((await api.del(`/bgp/sessions/${s.body.id}`)).status, 204);
  assert.equal((await api.get(`/bgp/sessions/${s.body.id}`)).status, 404);
});
