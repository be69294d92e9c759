/**
 * Every request the client can send matches the Metal OpenAPI spec: the operation exists, path ids match their
 * schemas, every query parameter is declared and valid (arrays as the parameter's style says), and the JSON body
 * validates against the operation's request schema (e.g. `DeviceCreateInMetroInput` inside its `oneOf`).
 */
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { MetalClient } from "../../src/metal/client.ts";
import { createInput } from "../../src/mcm/driver/device_create.ts";
import type { EquinixMetalProviderSpec } from "../../src/mcm/driver/provider_spec.ts";
import { device, empty, json, meta, PROJECT_ID, type SeenRequest, testClient, uuid } from "./fake_api.ts";
import { type OpenApiParameter, OpenApiSpec, toJsonSchema } from "./openapi_spec.ts";
import { METAL_OPENAPI_MISSING } from "../support/openapi.ts";
import { testUnless } from "../support/needs.ts";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ["int32", "int64", "float", "double", "string"]) ajv.addFormat(f, true);

/** Path templates of the spec we use, matched against request paths. */
const TEMPLATES = [
  "/projects/{id}/devices",
  "/devices/{id}",
  "/devices/{id}/actions",
  "/projects/{id}/ssh-keys",
  "/ssh-keys/{id}",
  "/projects/{id}/hardware-reservations",
  "/hardware-reservations/{id}",
  "/locations/metros",
  "/locations/metros/{id}",
  "/facilities",
  "/plans",
  "/operating-systems",
  "/capacity/metros",
];

function templateOf(path: string): { template: string; params: Record<string, string> } {
  for (const template of TEMPLATES) {
    const names: string[] = [];
    const re = new RegExp(
      "^" + template.replace(/\{(\w+)\}/g, (_, n) => (names.push(n), "([^/]+)")) + "$",
    );
    const m = re.exec(path);
    if (m) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  throw new Error(`no spec template for ${path}`);
}

const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

function validate(schema: unknown, value: unknown, what: string): string[] {
  const key = JSON.stringify(schema);
  let check = compiled.get(key);
  if (!check) {
    check = ajv.compile(toJsonSchema(schema) as Record<string, unknown>);
    compiled.set(key, check);
  }
  if (check(value)) return [];
  return (check.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

function coerce(value: string, schema: Record<string, unknown> | undefined): unknown {
  if (schema?.type === "integer" || schema?.type === "number") return Number(value);
  if (schema?.type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

function queryProblems(req: SeenRequest, params: OpenApiParameter[]): string[] {
  const problems: string[] = [];
  for (const name of new Set(req.url.searchParams.keys())) {
    const p = params.find((x) => x.in === "query" && x.name === name);
    if (!p) {
      problems.push(`query parameter ${name} is not declared`);
      continue;
    }
    const values = req.url.searchParams.getAll(name);
    if (p.schema?.type === "array") {
      const explode = p.explode ?? (p.style ?? "form") === "form";
      if (!explode && values.length > 1) problems.push(`query ${name} must be one comma-separated value`);
      const items = explode ? values : values.flatMap((v) => v.split(","));
      const itemSchema = p.schema.items as Record<string, unknown> | undefined;
      problems.push(...validate(p.schema, items.map((v) => coerce(v, itemSchema)), `query ${name}`));
    } else {
      if (values.length > 1) problems.push(`query ${name} repeated`);
      problems.push(...validate(p.schema ?? {}, coerce(values[0], p.schema), `query ${name}`));
    }
  }
  return problems;
}

/** Answers every request the way the API would, minimally. */
function answer(req: SeenRequest): Response {
  const { template } = templateOf(req.path);
  if (req.method === "DELETE") return empty(204);
  if (template === "/devices/{id}/actions") return empty(202);
  if (template === "/projects/{id}/devices" && req.method === "GET") {
    return json(200, { devices: [device(1)], meta: meta(1, 1000, 1, req.path) });
  }
  if (template.includes("devices")) return json(req.method === "POST" ? 201 : 200, device(1));
  if (template === "/projects/{id}/ssh-keys" && req.method === "GET") return json(200, { ssh_keys: [] });
  if (template.includes("ssh-keys")) return json(req.method === "POST" ? 201 : 200, { id: uuid(2), key: "k" });
  if (template === "/projects/{id}/hardware-reservations") return json(200, { hardware_reservations: [], meta: null });
  if (template === "/hardware-reservations/{id}") return json(200, { id: uuid(3) });
  if (template === "/locations/metros") return json(200, { metros: [] });
  if (template === "/locations/metros/{id}") return json(200, { id: uuid(4), code: "ny" });
  if (template === "/facilities") return json(200, { facilities: [] });
  if (template === "/plans") return json(200, { plans: [] });
  if (template === "/operating-systems") return json(200, { operating_systems: [] });
  if (req.method === "GET") return json(200, { capacity: {} });
  return json(200, { servers: [{ metro: "ny", plan: "c3.small.x86", quantity: "1", available: true }] });
}

const KEYLESS_SPEC: EquinixMetalProviderSpec = {
  projectID: PROJECT_ID,
  metro: "ny",
  machineType: "c3.small.x86",
  billingCycle: "hourly",
  OS: "flatcar_stable",
  tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node"],
};

/** Every call of the client, with every optional parameter set. */
async function exerciseEveryCall(client: MetalClient): Promise<void> {
  const d = client.devices;
  await d.create(PROJECT_ID, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "custom_ipxe",
    hostname: "shoot--p--c-worker-z1-abcde",
    description: "worker",
    billing_cycle: "hourly",
    userdata: "#!ipxe\nchain https://boot.example/ipxe",
    customdata: { a: 1 },
    tags: ["kubernetes.io/cluster/shoot--p--c", "kubernetes.io/role/node"],
    ipxe_script_url: "https://boot.example/ipxe",
    always_pxe: true,
    hardware_reservation_id: uuid(9),
    locked: false,
    project_ssh_keys: [uuid(10)],
    user_ssh_keys: [uuid(11)],
    ssh_keys: [{ label: "extra", key: "ssh-ed25519 AAAA", tags: ["t"] }],
    no_ssh_keys: false,
    ip_addresses: [{ address_family: 4, public: false, cidr: 31 }, { address_family: 6, public: true, cidr: 127 }],
    public_ipv4_subnet_size: 31,
    private_ipv4_subnet_size: 31,
    spot_instance: true,
    spot_price_max: 1.23,
    termination_time: "2027-01-01T00:00:00+01:00",
    features: ["tpm"],
    storage: { disks: [{ device: "/dev/sda", wipeTable: true }] },
    network_frozen: false,
  }, { include: ["ip_addresses.parent_block", "parent_block"] });
  await d.create(PROJECT_ID, { metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable" });
  // The driver's body for a class without SSH keys.
  await d.create(
    PROJECT_ID,
    createInput(KEYLESS_SPEC, "shoot--p--c-worker-z1-abcde", "#cloud-config", { kind: "metro" }),
  );
  await d.create(PROJECT_ID, { facility: ["ny5", "any"], plan: "c3.small.x86", operating_system: "flatcar_stable" });
  await d.create(PROJECT_ID, { facility: "ny5", plan: "c3.small.x86", operating_system: "flatcar_stable" });
  await d.get(uuid(1), { include: ["ip_addresses.parent_block", "parent_block"], exclude: ["ssh_keys", "volumes"] });
  await d.listByProject(PROJECT_ID, {
    tag: "kubernetes.io/role/node",
    hostname: "worker",
    metro: "ny",
    facility: "ny5",
    states: ["active"],
    include: ["facility"],
    exclude: ["ssh_keys"],
    perPage: 500,
  });
  await d.update(uuid(1), {
    always_pxe: false,
    billing_cycle: "hourly",
    customdata: {},
    description: "d",
    hostname: "h",
    firmware_set_id: uuid(12),
    ipxe_script_url: "https://x",
    locked: true,
    network_frozen: false,
    spot_instance: false,
    tags: ["a"],
    userdata: "u",
  });
  await d.delete(uuid(1), { force: true });
  await d.delete(uuid(1), { force: false });
  await d.delete(uuid(1));
  for (const type of ["power_on", "power_off", "reboot", "rescue"] as const) await d.performAction(uuid(1), { type });
  await d.performAction(uuid(1), {
    type: "reinstall",
    operating_system: "ubuntu_22_04",
    deprovision_fast: true,
    preserve_data: false,
    force_delete: false,
    ipxe_script_url: "https://x",
  });
  const k = client.sshKeys;
  await k.createForProject(PROJECT_ID, { label: "l", key: "ssh-ed25519 AAAA", tags: ["t"], instances_ids: [uuid(1)] });
  await k.listForProject(PROJECT_ID, { query: "l" });
  await k.get(uuid(2));
  await k.update(uuid(2), { label: "l2", key: "ssh-ed25519 BBBB", tags: [] });
  await k.delete(uuid(2));
  const r = client.hardwareReservations;
  await r.listForProject(PROJECT_ID, {
    provisionableOnly: true,
    state: "active",
    query: "ny5",
    include: ["device"],
    exclude: ["plan"],
    perPage: 1000,
  });
  await r.get(uuid(3), { include: ["device"], exclude: ["project"] });
  await client.locations.listMetros();
  await client.locations.getMetro(uuid(4));
  await client.locations.listFacilities({ include: ["address", "labels"], exclude: ["address"] });
  await client.plans.list({ slug: "c3.small.x86", type: "standard", categories: ["compute", "legacy_gen"] });
  await client.operatingSystems.list();
  await client.capacity.getMetros();
  await client.capacity.checkMetros([{ metro: "ny", plan: "c3.small.x86", quantity: 1 }]);
}

testUnless(METAL_OPENAPI_MISSING, {
  name: "every request the client sends conforms to the Metal OpenAPI spec",
  fn: async () => {
    const spec = new OpenApiSpec();
    const { client, requests } = testClient(answer);
    await exerciseEveryCall(client);
    const problems: string[] = [];
    const operations = new Set<string>();
    for (const req of requests) {
      const { template, params } = templateOf(req.path);
      const op = spec.operation(req.method, template);
      operations.add(op.operationId ?? `${req.method} ${template}`);
      const where = `${req.method} ${template}`;
      for (const [name, value] of Object.entries(params)) {
        const p = op.parameters.find((x) => x.in === "path" && x.name === name);
        if (!p) problems.push(`${where}: path parameter ${name} not declared`);
        else problems.push(...validate(p.schema ?? {}, value, `${where}: path ${name}`));
      }
      problems.push(...queryProblems(req, op.parameters).map((p) => `${where}: ${p}`));
      if (req.body !== undefined) {
        if (!op.requestBody) problems.push(`${where}: sends a body but the operation takes none`);
        else problems.push(...validate(op.requestBody, req.body, `${where}: body`));
      } else if (op.requestBody && req.method !== "DELETE") {
        problems.push(`${where}: the operation requires a body`);
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual([...operations].sort(), [
      "checkCapacityForMetro",
      "createDevice",
      "createProjectSSHKey",
      "deleteDevice",
      "deleteSSHKey",
      "findCapacityForMetro",
      "findDeviceById",
      "findFacilities",
      "findHardwareReservationById",
      "findMetros",
      "findOperatingSystems",
      "findPlans",
      "findProjectDevices",
      "findProjectHardwareReservations",
      "findProjectSSHKeys",
      "findSSHKeyById",
      "getMetro",
      "performAction",
      "updateDevice",
      "updateSSHKey",
    ]);
  },
});

testUnless(METAL_OPENAPI_MISSING, {
  name: "the spec check itself catches a non-conforming body (it is not vacuous)",
  fn: () => {
    const spec = new OpenApiSpec();
    const create = spec.operation("POST", "/projects/{id}/devices").requestBody;
    assert.deepEqual(validate(create, { metro: "ny", plan: "p", operating_system: "o" }, "body"), []);
    // Both metro and facility match both oneOf branches; a number quantity is not the spec's string.
    assert.notDeepEqual(validate(create, { metro: "ny", facility: "ny5", plan: "p", operating_system: "o" }, "b"), []);
    assert.notDeepEqual(validate(create, { metro: "ny", plan: "p" }, "b"), []);
    const capacity = spec.operation("POST", "/capacity/metros").requestBody;
    assert.notDeepEqual(validate(capacity, { servers: [{ metro: "ny", plan: "p", quantity: 1 }] }, "b"), []);
    const params = spec.operation("GET", "/projects/{id}/devices").parameters;
    const req = { url: new URL("https://x/metal/v1/projects/p/devices?state=active&per_page=5000") } as SeenRequest;
    assert.equal(queryProblems(req, params).length, 2);
  },
});
