/** Devices: what goes on the wire (path, query, headers, body) and how answers are read. */
import assert from "node:assert/strict";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalBadResponseError, MetalInputError } from "../../src/metal/errors.ts";
import type { DeviceCreateInput } from "../../src/metal/types.ts";
import { USER_AGENT } from "../../src/runtime/version.ts";
import { device, empty, json, meta, PROJECT_ID, testClient, TOKEN, uuid } from "./fake_api.ts";

const USERDATA = "#cloud-config\nbootstrap-token: abcdef.0123456789abcdef\n";

const fullInput: DeviceCreateInput = {
  metro: "ny",
  plan: "c3.small.x86",
  operating_system: "custom_ipxe",
  hostname: "shoot--p--c-worker-z1-abcde",
  description: "worker",
  billing_cycle: "hourly",
  userdata: USERDATA,
  tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node", "a=b+c/d"],
  ipxe_script_url: "https://boot.example/ipxe",
  always_pxe: true,
  hardware_reservation_id: "next-available",
  project_ssh_keys: [uuid(50)],
  locked: false,
  no_ssh_keys: false,
  customdata: { role: "worker" },
  ip_addresses: [{ address_family: 4, public: false }, { address_family: 4, public: true }],
  spot_instance: false,
  termination_time: "2027-01-01T00:00:00Z",
  features: ["tpm"],
};

Deno.test("create POSTs the body as given to /projects/{id}/devices with the auth and JSON headers", async () => {
  const { client, requests } = testClient(() => json(201, device(1, { state: "queued" })));
  const d = await client.devices.create(PROJECT_ID, fullInput, {
    include: ["ip_addresses.parent_block", "parent_block"],
  });
  assert.equal(d.state, "queued");
  assert.equal(requests.length, 1);
  const req = requests[0];
  assert.equal(req.method, "POST");
  assert.equal(req.url.origin + req.url.pathname, `https://metal.test/metal/v1/projects/${PROJECT_ID}/devices`);
  assert.equal(req.url.search, "?include=ip_addresses.parent_block%2Cparent_block");
  assert.equal(req.headers.get("x-auth-token"), TOKEN);
  assert.equal(req.headers.get("user-agent"), USER_AGENT);
  assert.match(USER_AGENT, /^provider-equinix-metal\/\d+\.\d+\.\d+/);
  assert.equal(req.headers.get("accept"), "application/json");
  assert.equal(req.headers.get("content-type"), "application/json");
  assert.deepEqual(req.body, fullInput);
  assert.equal(req.streamed, true, "a POST body is a stream the runtime cannot replay");
});

Deno.test("create in facilities sends facility (string or list) and never both metro and facility", async () => {
  const { client, requests } = testClient(() => json(201, device(1)));
  await client.devices.create(PROJECT_ID, { facility: ["ny5", "any"], plan: "p", operating_system: "o" });
  assert.deepEqual(requests[0].body, { facility: ["ny5", "any"], plan: "p", operating_system: "o" });
  const both = { metro: "ny", facility: "ny5", plan: "p", operating_system: "o" } as unknown as DeviceCreateInput;
  const err = await client.devices.create(PROJECT_ID, both).catch((e) => e);
  assert.ok(err instanceof MetalInputError);
  assert.match(err.message, /metro or facility, not both/);
  assert.equal(requests.length, 1);
});

Deno.test("an empty hardware_reservation_id is left out of the body", async () => {
  const { client, requests } = testClient(() => json(201, device(1)));
  await client.devices.create(PROJECT_ID, {
    metro: "ny",
    plan: "p",
    operating_system: "o",
    hardware_reservation_id: "",
  });
  assert.deepEqual(requests[0].body, { metro: "ny", plan: "p", operating_system: "o" });
});

Deno.test("invalid create input is rejected before sending, naming the field, without quoting user data", async () => {
  const { client, requests } = testClient(() => json(201, device(1)));
  const base = { metro: "ny", plan: "c3.small.x86", operating_system: "o" };
  const cases: [unknown, string, RegExp][] = [
    [{ ...base, hardware_reservation_id: "res-1" }, "input.hardware_reservation_id", /UUID or "next-available"/],
    [{ ...base, project_ssh_keys: ["key-1"] }, "input.project_ssh_keys[0]", /UUID/],
    [{ ...base, billing_cycle: "weekly" }, "input.billing_cycle", /./],
    [{ ...base, operatingSystem: "o" }, "input.operatingSystem", /not a known field/],
    [{ ...base, plan: "" }, "input.plan", /must not be empty/],
    [{ metro: "ny", operating_system: "o" }, "input.plan", /./],
    [{ plan: "p", operating_system: "o" }, "input.metro", /required/],
    [{ ...base, tags: ["ok", 5] }, "input.tags[1]", /./],
    [{ ...base, ip_addresses: [{ address_family: 4, public: true }] }, "input.ip_addresses", /private IPv4/],
    [{ ...base, termination_time: "tomorrow" }, "input.termination_time", /./],
    [{ ...base, userdata: 42 }, "input.userdata", /./],
  ];
  for (const [input, field, problem] of cases) {
    const err = await client.devices.create(PROJECT_ID, input as DeviceCreateInput).catch((e) => e);
    assert.ok(err instanceof MetalInputError, `${field}: ${err}`);
    assert.equal(err.field, field);
    assert.match(err.message, problem);
    assert.match(err.message, /^MetalClient\.devices\.create: /);
  }
  const withUserdata = await client.devices.create(PROJECT_ID, { ...base, userdata: USERDATA, foo: 1 } as never)
    .catch((e) => e);
  assert.ok(!withUserdata.message.includes("bootstrap-token"));
  assert.equal(requests.length, 0);
});

Deno.test("ids must be UUIDs: a provider ID or empty string never reaches the API", async () => {
  const { client, requests } = testClient(() => json(200, device(1)));
  for (const bad of ["", "equinixmetal://ny/" + uuid(1), "../projects", uuid(1) + " "]) {
    const err = await client.devices.get(bad).catch((e) => e);
    assert.ok(err instanceof MetalInputError, bad);
    assert.equal(err.field, "id");
    await assert.rejects(client.devices.delete(bad), MetalInputError);
    await assert.rejects(client.devices.listByProject(bad), MetalInputError);
  }
  assert.equal(requests.length, 0);
});

Deno.test("get sends include and exclude as comma-separated values and tolerates nulls and unknown fields", async () => {
  const { client, requests } = testClient(() =>
    json(
      200,
      device(1, {
        state: "provisioning",
        provisioning_percentage: 42.5,
        tags: null,
        description: null,
        hardware_reservation: { href: `/metal/v1/hardware-reservations/${uuid(60)}` },
        ip_addresses: [{
          id: uuid(70),
          type: "IPAssignment",
          address: "10.99.73.135",
          address_family: 4,
          cidr: 31,
          public: false,
          management: true,
          parent_block: { network: "10.99.73.128", netmask: "255.255.255.128", cidr: 25, href: "/metal/v1/ips/x" },
          brand_new: "field",
        }],
      }),
    )
  );
  const d = await client.devices.get(uuid(1), {
    include: ["ip_addresses.parent_block", "parent_block"],
    exclude: ["ssh_keys"],
  });
  assert.equal(requests[0].method, "GET");
  assert.equal(requests[0].path, `/devices/${uuid(1)}`);
  assert.equal(requests[0].url.searchParams.get("include"), "ip_addresses.parent_block,parent_block");
  assert.equal(requests[0].url.searchParams.get("exclude"), "ssh_keys");
  assert.equal(requests[0].headers.get("content-type"), null, "no Content-Type without a body");
  assert.equal(requests[0].body, undefined);
  assert.equal(d.state, "provisioning");
  assert.equal(d.provisioning_percentage, 42.5);
  assert.deepEqual(d.tags, []);
  assert.equal(d.description, null);
  assert.equal(d.metro?.code, "ny");
  assert.equal(d.plan?.slug, "c3.small.x86");
  assert.equal(d.hardware_reservation?.id, undefined);
  assert.equal(d.ip_addresses?.[0].parent_block?.cidr, 25);
  assert.equal((d as Record<string, unknown>).some_future_field !== undefined, true, "unknown fields are kept");
});

Deno.test("a response that does not match the schema names the endpoint and the field", async () => {
  const { client } = testClient(() => json(200, device(1, { state: "exploded" })));
  const err = await client.devices.get(uuid(1)).catch((e) => e);
  assert.ok(err instanceof MetalBadResponseError);
  assert.match(err.message, /GET \/devices\/\{id\}/);
  assert.match(err.message, /state: /);
  assert.equal(err.status, 200);

  const list = testClient(() => json(200, { devices: [device(1), device(2, { id: 5 })], meta: null }));
  const listErr = await list.client.devices.listByProject(PROJECT_ID).catch((e) => e);
  assert.ok(listErr instanceof MetalBadResponseError);
  assert.match(listErr.message, /devices\[1\]\.id: /);

  const html = testClient(() => new Response("<html>maintenance</html>", { status: 200 }));
  const htmlErr = await html.client.devices.get(uuid(1)).catch((e) => e);
  assert.ok(htmlErr instanceof MetalBadResponseError);
  assert.match(htmlErr.message, /not JSON/);
  assert.ok(!htmlErr.message.includes("maintenance"), "bodies are not copied into the error");
});

Deno.test("listByProject filters tag/hostname/metro/facility on the server and states here", async () => {
  const devices = [
    device(1, { state: "active" }),
    device(2, { state: "provisioning" }),
    device(3, { state: "failed" }),
    device(4, { state: "queued" }),
  ];
  const { client, requests } = testClient((req) =>
    json(200, { devices, meta: meta(1, 1000, devices.length, req.url.pathname) })
  );
  const out = await client.devices.listByProject(PROJECT_ID, {
    tag: "kubernetes.io/cluster/shoot--p--c+x=y",
    hostname: "worker-",
    metro: "ny",
    facility: "ny5",
    states: ["active", "queued"],
    include: ["facility"],
  });
  assert.deepEqual(out.map((d) => d.id), [uuid(1), uuid(4)]);
  const q = requests[0].url.searchParams;
  assert.equal(q.get("tag"), "kubernetes.io/cluster/shoot--p--c+x=y");
  assert.ok(requests[0].url.search.includes("tag=kubernetes.io%2Fcluster%2Fshoot--p--c%2Bx%3Dy"));
  assert.equal(q.get("hostname"), "worker-");
  assert.equal(q.get("metro"), "ny");
  assert.equal(q.get("facility"), "ny5");
  assert.equal(q.get("include"), "facility");
  assert.equal(q.get("state"), null, "the API has no state filter");
  await assert.rejects(
    client.devices.listByProject(PROJECT_ID, { states: ["running" as never] }),
    (e) => e instanceof MetalInputError && e.field === "filter.states",
  );
});

Deno.test("delete sends force_delete only when asked, update PUTs, performAction POSTs the action", async () => {
  const { client, requests } = testClient((req) =>
    req.method === "DELETE" ? empty(204) : req.method === "PUT" ? json(200, device(1)) : empty(202)
  );
  await client.devices.delete(uuid(1));
  await client.devices.delete(uuid(1), { force: true });
  await client.devices.update(uuid(1), { tags: ["a"], locked: true });
  await client.devices.performAction(uuid(1), { type: "reboot" });
  await client.devices.performAction(uuid(1), {
    type: "reinstall",
    operating_system: "ubuntu_22_04",
    preserve_data: true,
  });
  assert.deepEqual(requests.map((r) => `${r.method} ${r.path}${r.url.search}`), [
    `DELETE /devices/${uuid(1)}`,
    `DELETE /devices/${uuid(1)}?force_delete=true`,
    `PUT /devices/${uuid(1)}`,
    `POST /devices/${uuid(1)}/actions`,
    `POST /devices/${uuid(1)}/actions`,
  ]);
  assert.deepEqual(requests[2].body, { tags: ["a"], locked: true });
  assert.equal(requests[2].streamed, false, "idempotent bodies are plain strings");
  assert.deepEqual(requests[3].body, { type: "reboot" });
  assert.deepEqual(requests[4].body, { type: "reinstall", operating_system: "ubuntu_22_04", preserve_data: true });
  await assert.rejects(client.devices.performAction(uuid(1), { type: "explode" as never }), MetalInputError);
});

Deno.test("a base URL with a trailing slash and a custom user agent are honoured", async () => {
  const { client, requests } = testClient(() => json(200, device(1)), {
    baseUrl: "http://127.0.0.1:9/metal/v1/",
    userAgent: "custom/1",
  });
  await client.devices.get(uuid(1));
  assert.equal(requests[0].url.href, `http://127.0.0.1:9/metal/v1/devices/${uuid(1)}`);
  assert.equal(requests[0].headers.get("user-agent"), "custom/1");
});

Deno.test("client options are validated with the field named", () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ token: "" }, "token"],
    [{ token: "t", baseUrl: "api.equinix.com" }, "baseUrl"],
    [{ token: "t", baseUrl: "ftp://x/" }, "baseUrl"],
    [{ token: "t", baseUrl: "https://x/?a=1" }, "baseUrl"],
    [{ token: "t", timeoutMs: 0 }, "timeoutMs"],
    [{ token: "t", retry: { maxAttempts: 0, maxElapsedMs: 1, backoff: {} } }, "retry.maxAttempts"],
  ];
  for (const [opts, field] of bad) {
    assert.throws(() => new MetalClient(opts as never), (e) => e instanceof MetalInputError && e.field === field);
  }
  assert.equal(new MetalClient({ token: "t" }).baseUrl, "https://api.equinix.com/metal/v1");
});
