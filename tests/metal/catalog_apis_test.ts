/** SSH keys, hardware reservations, metros, facilities, plans, operating systems and capacity. */
import assert from "node:assert/strict";
import { MetalInputError } from "../../src/metal/errors.ts";
import { empty, json, PROJECT_ID, type SeenRequest, testClient, uuid } from "./fake_api.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG0d5 shoot--p--c";

function sshKey(n: number, overrides: Record<string, unknown> = {}) {
  return {
    id: uuid(n),
    href: `/metal/v1/ssh-keys/${uuid(n)}`,
    label: `key-${n}`,
    key: KEY,
    fingerprint: "aa:bb",
    created_at: "2026-11-21T00:00:00Z",
    updated_at: "2026-11-21T00:00:00Z",
    entity: { href: `/metal/v1/projects/${PROJECT_ID}` },
    tags: null,
    ...overrides,
  };
}

Deno.test("project SSH keys: create, list with query, get, update (PUT), delete", async () => {
  const { client, requests } = testClient((req: SeenRequest) => {
    if (req.method === "POST") return json(201, sshKey(1));
    if (req.method === "PUT") return json(200, sshKey(1, { label: "renamed" }));
    if (req.method === "DELETE") return empty(204);
    if (req.path.endsWith("/ssh-keys")) return json(200, { ssh_keys: [sshKey(1), sshKey(2)] });
    return json(200, sshKey(1));
  });
  const created = await client.sshKeys.createForProject(PROJECT_ID, { label: "shoot--p--c-ssh-publickey", key: KEY });
  assert.equal(created.id, uuid(1));
  assert.deepEqual(created.tags, []);
  const listed = await client.sshKeys.listForProject(PROJECT_ID, { query: "shoot--p--c" });
  assert.deepEqual(listed.map((k) => k.id), [uuid(1), uuid(2)]);
  assert.equal((await client.sshKeys.get(uuid(1))).fingerprint, "aa:bb");
  assert.equal((await client.sshKeys.update(uuid(1), { label: "renamed" })).label, "renamed");
  await client.sshKeys.delete(uuid(1));
  assert.deepEqual(requests.map((r) => `${r.method} ${r.path}${r.url.search}`), [
    `POST /projects/${PROJECT_ID}/ssh-keys`,
    `GET /projects/${PROJECT_ID}/ssh-keys?query=shoot--p--c`,
    `GET /ssh-keys/${uuid(1)}`,
    `PUT /ssh-keys/${uuid(1)}`,
    `DELETE /ssh-keys/${uuid(1)}`,
  ]);
  assert.deepEqual(requests[0].body, { label: "shoot--p--c-ssh-publickey", key: KEY });
  assert.deepEqual(requests[3].body, { label: "renamed" });
});

Deno.test("SSH key input is validated: label and key required, no unknown fields", async () => {
  const { client, requests } = testClient(() => json(201, sshKey(1)));
  const cases: [unknown, string][] = [
    [{ key: KEY }, "input.label"],
    [{ label: "l" }, "input.key"],
    [{ label: "l", key: KEY, name: "x" }, "input.name"],
    [{ label: "l", key: KEY, instances_ids: ["nope"] }, "input.instances_ids[0]"],
  ];
  for (const [input, field] of cases) {
    const err = await client.sshKeys.createForProject(PROJECT_ID, input as never).catch((e) => e);
    assert.ok(err instanceof MetalInputError, field);
    assert.equal(err.field, field);
  }
  await assert.rejects(client.sshKeys.update(uuid(1), { label: "" }), MetalInputError);
  assert.equal(requests.length, 0);
});

Deno.test("hardware reservation get with include=device, and list filters", async () => {
  const { client, requests } = testClient((req) =>
    req.path.startsWith("/hardware-reservations/")
      ? json(200, {
        id: uuid(5),
        short_id: "5d0e6f6c",
        provisionable: false,
        spare: false,
        need_of_service: false,
        device: { id: uuid(1), href: `/metal/v1/devices/${uuid(1)}`, hostname: "w-1" },
        plan: { slug: "c3.small.x86" },
        facility: { code: "ny5", metro: { code: "ny" } },
        project: { href: `/metal/v1/projects/${PROJECT_ID}` },
        custom_rate: 1050.5,
        termination_time: null,
      })
      : json(200, { hardware_reservations: [], meta: { current_page: 1, last_page: 1, total: 0 } })
  );
  const r = await client.hardwareReservations.get(uuid(5), { include: ["device"] });
  assert.equal(r.device?.hostname, "w-1");
  assert.equal(r.plan?.slug, "c3.small.x86");
  assert.equal(r.facility?.metro?.code, "ny");
  assert.equal(requests[0].url.searchParams.get("include"), "device");
  await client.hardwareReservations.listForProject(PROJECT_ID, { state: "active", query: "ny5" });
  const q = requests[1].url.searchParams;
  assert.equal(q.get("state"), "active");
  assert.equal(q.get("query"), "ny5");
  assert.equal(q.get("provisionable"), null);
  assert.equal(q.get("per_page"), "1000");
  await assert.rejects(
    client.hardwareReservations.listForProject(PROJECT_ID, { state: "busy" as never }),
    (e) => e instanceof MetalInputError && e.field === "state",
  );
});

Deno.test("metros, one metro, facilities (include repeated as the spec declares)", async () => {
  const { client, requests } = testClient((req) => {
    if (req.path === "/locations/metros") {
      return json(200, {
        metros: [{ id: uuid(1), code: "ny", name: "New York", country: "US" }, {
          id: uuid(2),
          code: "am",
          name: "Amsterdam",
          country: "NL",
        }],
      });
    }
    if (req.path.startsWith("/locations/metros/")) return json(200, { id: uuid(1), code: "ny", name: "New York" });
    return json(200, {
      facilities: [{ id: uuid(3), code: "ny5", name: "NY5", features: ["baremetal", "ibx"], metro: { code: "ny" } }],
    });
  });
  assert.deepEqual((await client.locations.listMetros()).map((m) => m.code), ["ny", "am"]);
  assert.equal((await client.locations.getMetro(uuid(1))).name, "New York");
  const facilities = await client.locations.listFacilities({ include: ["address", "labels"] });
  assert.equal(facilities[0].metro?.code, "ny");
  assert.deepEqual(requests.map((r) => r.path + r.url.search), [
    "/locations/metros",
    `/locations/metros/${uuid(1)}`,
    "/facilities?include=address&include=labels",
  ]);
  await assert.rejects(client.locations.getMetro(""), MetalInputError);
});

Deno.test("plans with slug/type/categories[] filters, and operating systems", async () => {
  const { client, requests } = testClient((req) =>
    req.path === "/plans"
      ? json(200, {
        plans: [{
          id: uuid(1),
          slug: "c3.small.x86",
          name: "c3.small.x86",
          class: "c3.small.x86",
          type: "standard",
          deployment_types: ["on_demand", "spot_market"],
          available_in_metros: [{ href: "/metal/v1/locations/metros/x", price: { hour: 0.75 } }],
          specs: { cpus: [{ count: 1, type: "Intel Xeon E-2278G" }], memory: { total: "32GB" } },
          pricing: { hour: 0.75 },
        }],
      })
      : json(200, {
        operating_systems: [{
          id: uuid(2),
          slug: "flatcar_stable",
          name: "Flatcar (stable)",
          distro: "flatcar",
          version: "stable",
          provisionable_on: ["c3.small.x86"],
          default_operating_system: true,
          release_date: null,
        }],
      })
  );
  const plans = await client.plans.list({
    slug: "c3.small.x86",
    type: "standard",
    categories: ["compute", "current_gen"],
  });
  assert.equal(plans[0].available_in_metros?.[0].price?.hour, 0.75);
  const oses = await client.operatingSystems.list();
  assert.deepEqual(oses[0].provisionable_on, ["c3.small.x86"]);
  assert.equal(
    requests[0].url.search,
    "?slug=c3.small.x86&type=standard&categories%5B%5D=compute&categories%5B%5D=current_gen",
  );
  assert.equal(requests[1].path, "/operating-systems");
  await assert.rejects(client.plans.list({ type: "big" as never }), MetalInputError);
});

Deno.test("capacity: levels per metro and plan, and a check with quantities sent as strings", async () => {
  const { client, requests } = testClient((req) =>
    req.method === "GET"
      ? json(200, {
        capacity: {
          ny: { "c3.small.x86": { level: "normal", available_servers: 25 }, "m3.large.x86": { level: "limited" } },
          am: {},
          da: null,
        },
      })
      : json(200, {
        servers: [
          { metro: "ny", plan: "c3.small.x86", quantity: "3", available: true },
          { metro: "am", plan: "m3.large.x86", quantity: 10, available: false },
        ],
      })
  );
  const report = await client.capacity.getMetros();
  assert.equal(report.ny["c3.small.x86"].level, "normal");
  assert.equal(report.ny["m3.large.x86"].level, "limited");
  assert.deepEqual(report.am, {});
  assert.deepEqual(report.da, {});
  const checks = await client.capacity.checkMetros([
    { metro: "ny", plan: "c3.small.x86", quantity: 3 },
    { metro: "am", plan: "m3.large.x86", quantity: 10 },
  ]);
  assert.deepEqual(checks, [
    { metro: "ny", plan: "c3.small.x86", quantity: 3, available: true },
    { metro: "am", plan: "m3.large.x86", quantity: 10, available: false },
  ]);
  assert.deepEqual(requests[1].body, {
    servers: [
      { metro: "ny", plan: "c3.small.x86", quantity: "3" },
      { metro: "am", plan: "m3.large.x86", quantity: "10" },
    ],
  });
  await assert.rejects(client.capacity.checkMetros([]), MetalInputError);
  await assert.rejects(
    client.capacity.checkMetros([{ metro: "ny", plan: "p", quantity: 0 }]),
    (e) => e instanceof MetalInputError && e.field === "servers[0].quantity",
  );
});
