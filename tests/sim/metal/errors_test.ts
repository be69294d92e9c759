/**
 * Fidelity traps §12.9–§12.11: error statuses (422, not 409), the two body shapes, verbatim texts, 403 for objects
 * that exist but are not the caller's vs 404 for unknown ids, and the headers clients rely on.
 */
import assert from "node:assert/strict";
import { createDevice, setup, workerBody } from "./helpers.ts";

Deno.test('401: unknown or missing token answers {"error": "Invalid authentication token"}', async () => {
  const { sim, api } = setup();
  for (const token of ["not-a-token-at-all", null]) {
    const r = await api.request("GET", `/projects/${sim.defaultProjectId}/devices`, { token });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: "Invalid authentication token" });
    assert.match(r.headers.get("content-type")!, /^application\/json/);
    assert.ok(r.headers.get("x-request-id"));
  }
});

Deno.test('403 vs 404: foreign projects and devices are 403, unknown ids 404 {"errors": ["Not found"]}', async () => {
  const { sim, api } = setup();
  const [, foreignProject] = sim.seed.projects;
  const foreignUserToken = sim.seed.tokens.find((t) => t.userId === sim.seed.users[1].id)!.token;
  const foreignDevice = await createDevice(api, foreignProject.id, {}).catch(() => undefined);
  assert.equal(foreignDevice, undefined, "our token cannot create in a foreign project");
  const r403 = await api.post(`/projects/${foreignProject.id}/devices`, workerBody());
  assert.equal(r403.status, 403);
  assert.deepEqual(r403.body, { errors: ["You are not authorized to view this project"] });

  const theirs = (await api.post(`/projects/${foreignProject.id}/devices`, workerBody(), foreignUserToken)).body;
  const get = await api.get(`/devices/${theirs.id}`);
  assert.equal(get.status, 403);
  assert.deepEqual(get.body, { errors: ["You are not authorized to view this device"] });
  assert.equal((await api.del(`/devices/${theirs.id}`)).status, 403);
  assert.equal((await api.get(`/devices/${theirs.id}`, foreignUserToken)).status, 200);

  for (
    const path of [
      "/devices/5d0e6f6c-0000-4000-8000-000000000000",
      "/devices/not-a-uuid",
      "/ssh-keys/5d0e6f6c-0000-4000-8000-000000000000",
      "/projects/5d0e6f6c-0000-4000-8000-000000000000/devices",
    ]
  ) {
    const r = await api.get(path);
    assert.equal(r.status, 404, path);
    assert.deepEqual(r.body, { errors: ["Not found"] });
  }
  assert.equal((await api.get("/no/such/endpoint")).status, 404);
});

Deno.test("project tokens see one project; user tokens the projects of their organisations", async () => {
  const { sim, api } = setup();
  const projectToken = sim.seed.tokens.find((t) => t.projectId)!.token;
  const own = (await api.get("/projects", projectToken)).body.projects.map((p: { id: string }) => p.id);
  assert.deepEqual(own, [sim.defaultProjectId]);
  const mine = (await api.get("/projects")).body.projects.map((p: { name: string }) => p.name);
  assert.deepEqual(mine, ["gardener-dev"]);
  assert.equal((await api.get("/user", projectToken)).status, 403, "a project token has no user");
  const user = (await api.get("/user")).body;
  assert.equal(user.email, "operator@example.com");
  assert.equal(user.default_project_id, sim.defaultProjectId);
  const d = await createDevice(api, sim.defaultProjectId);
  assert.equal((await api.get(`/devices/${d.id}`, projectToken)).status, 200);
  assert.equal((await api.get(`/projects/${sim.seed.projects[1].id}`, projectToken)).status, 403);
});

Deno.test("422 validation with the real texts, naming the value; nothing is created", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ metro: "xx" }, "xx is not a valid metro"],
    [{ plan: "c9.huge.x86" }, "c9.huge.x86 is not a valid plan"],
    [{ operating_system: "centos_8_2" }, "centos_8_2 is not a valid operating system"],
    [{ billing_cycle: "weekly" }, "weekly is not a valid billing cycle"],
    [{ metro: undefined, facility: "ewr9" }, "ewr9 is not a valid facility"],
    [{ plan: undefined }, "Plan can't be blank"],
    [{ operating_system: undefined }, "Operating system can't be blank"],
    [{ metro: undefined }, "Metro can't be blank"],
    [{ hardware_reservation_id: "123a45b6" }, "123a45b6 is not a valid hardware reservation"],
    [{ ip_addresses: [{ address_family: 4, public: true }] }, "Private IPv4 address is required"],
    [
      { public_ipv4_subnet_size: 29 },
      "The specified project contains insufficient public IPv4 space to complete the request. Please e-mail support@equinixmetal.com.",
    ],
    [
      { operating_system: "custom_ipxe" },
      "ipxe_script_url or an iPXE script in userdata (#!ipxe) is required for custom_ipxe",
    ],
    [{ spot_instance: true }, "Spot price max can't be blank"],
  ];
  for (const [override, text] of cases) {
    const r = await api.post(`/projects/${p}/devices`, workerBody(override));
    assert.equal(r.status, 422, text);
    assert.deepEqual(r.body, { errors: [text] });
  }
  const typed = await api.post(`/projects/${p}/devices`, workerBody({ tags: ["ok", 7], hostname: 5 }));
  assert.equal(typed.status, 422);
  assert.ok(typed.body.errors.some((e: string) => e.startsWith("device.tags[1]:")), typed.body.errors.join());
  assert.ok(typed.body.errors.some((e: string) => e.startsWith("device.hostname:")), typed.body.errors.join());
  const notJson = await api.request("POST", `/projects/${p}/devices`, { body: "{not json" });
  assert.equal(notJson.status, 422);
  assert.match(notJson.body.errors[0], /not valid JSON/);
  assert.equal((await api.request("POST", `/projects/${p}/devices`)).status, 422, "a body is required");
  assert.equal(sim.devices().length, 0);
  assert.equal((await api.get(`/projects/${p}/ips`)).body.ip_addresses.length, 0, "no addresses were allocated");
});

Deno.test("no 409 anywhere: conflicts are 422 (BGP config twice, duplicate SSH key)", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  assert.equal((await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "local" })).status, 204);
  assert.equal((await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "local" })).status, 422);
  const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIhNtA2V3BKYIh1KcKlBOngqfbeOupN0CNCUPGRNiAXj a";
  assert.equal((await api.post(`/projects/${p}/ssh-keys`, { label: "a", key })).status, 201);
  const dup = await api.post(`/projects/${p}/ssh-keys`, { label: "b", key });
  assert.equal(dup.status, 422);
  assert.deepEqual(dup.body, { errors: ["Fingerprint has already been taken"] });
});

Deno.test("secrets stay out of errors: userdata is never echoed in a validation error", async () => {
  const { sim, api } = setup();
  const r = await api.post(
    `/projects/${sim.defaultProjectId}/devices`,
    workerBody({ userdata: "TOP-SECRET-bootstrap-token", plan: "nope" }),
  );
  assert.equal(r.status, 422);
  assert.ok(!JSON.stringify(r.body).includes("TOP-SECRET"));
});
