/**
 * OpenAPI conformance of the Metal API simulator and of our client. A scenario touches every endpoint the simulator
 * serves; a recording `fetch` keeps each request/response pair; every response must validate against the schema of
 * its operation and status in the Metal OpenAPI document (../shared/metal-api/openapi beside the project: it is not
 * shipped; where it is absent these tests are ignored with that reason), and every request body the **client** sends
 * against the operation's request schema. Where the spec is wrong or stricter than the real API (as its answers
 * show), the exception is a narrow schema patch or an allowance listed below, each with its reason.
 */
import assert from "node:assert/strict";
import { MetalClient } from "../../src/metal/client.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator } from "../../src/sim/metal/mod.ts";
import { ROUTES } from "../../src/sim/metal/routes.ts";
import { loadMetalOpenApi, METAL_OPENAPI_MISSING, type OpenApiSpec, type SchemaPatch } from "../support/openapi.ts";
import { testUnless } from "../support/needs.ts";

/** Where the spec disagrees with the real API (each seen in the real API's answers). */
const PATCHES: SchemaPatch[] = [
  {
    schemaFile: "Meta.yaml",
    reason: "§7/§12.6: `next` and `previous` are null at the ends of a list; the spec does not mark them nullable",
    apply: (s) => {
      const props = s.properties as Record<string, Record<string, unknown>>;
      for (const k of ["next", "previous"]) props[k] = { ...props[k], nullable: true };
    },
  },
  {
    schemaFile: "Device.yaml",
    reason: "§3: an unset description is returned as null (recorded list responses); the spec says string",
    apply: (s) => {
      const props = s.properties as Record<string, Record<string, unknown>>;
      props.description = { ...props.description, nullable: true };
    },
  },
];

/** Responses whose status the spec does not list, but the real API sends. */
const UNDOCUMENTED_STATUS_ALLOWED: Record<string, number[]> = {
  // `hardware_reservation_id: "next-available"` with none free → 503 with an Error body (CAPP#191).
  "POST /projects/{id}/devices": [503],
};

/**
 * Operations whose `oneOf` no correct answer can satisfy: an IPReservation also matches IPAssignment, whose schema
 * has no required fields and no `type` (the SDK's patched spec adds `type: IPAssignment`), so `oneOf` sees two
 * matches. For these the answer is validated against the one schema its `type` names, as the SDK decodes it.
 */
const ONE_OF_IS_ANY_OF = new Set(["GET /ips/{id}", "PATCH /ips/{id}", "POST /projects/{id}/ips"]);

/** Simulator routes that are not in the spec: packngo's PATCH variants of PUT (§12.15). */
const NOT_IN_SPEC = new Set(["PATCH /devices/{id}", "PATCH /ssh-keys/{id}"]);

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseBody: unknown;
}

function parse(text: string): unknown {
  return text === "" ? undefined : JSON.parse(text);
}

/** Wraps the simulator's fetch and records every exchange. */
function recorder(sim: MetalSimulator): { fetch: typeof fetch; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const requestBody = parse(await req.clone().text());
    const res = await sim.fetch(req);
    const url = new URL(req.url);
    exchanges.push({
      method: req.method,
      path: url.pathname.replace(/^\/metal\/v1/, ""),
      requestBody,
      status: res.status,
      responseBody: parse(await res.clone().text()),
    });
    return res;
  };
  return { fetch: wrapped, exchanges };
}

/** Validation failures of recorded exchanges (empty when everything conforms). */
function check(spec: OpenApiSpec, exchanges: Exchange[], opts: { requests: boolean }): string[] {
  const failures: string[] = [];
  for (const x of exchanges) {
    const op = spec.findOperation(x.method, x.path);
    const label = `${x.method} ${x.path} → ${x.status}`;
    if (!op) {
      failures.push(`${label}: no operation in the spec`);
      continue;
    }
    const key = `${op.method} ${op.template}`;
    if (!op.statuses.includes(String(x.status)) && !UNDOCUMENTED_STATUS_ALLOWED[key]?.includes(x.status)) {
      failures.push(`${label}: status not documented (${op.statuses.join(", ")})`);
    } else if (op.statuses.includes(String(x.status))) {
      let result = spec.validateResponse(op, x.status, x.responseBody);
      if (!result.valid && ONE_OF_IS_ANY_OF.has(key)) {
        const type = (x.responseBody as { type?: unknown } | undefined)?.type;
        result = spec.validateSchema(
          type === "IPAssignment" ? "IPAssignment.yaml" : "IPReservation.yaml",
          x.responseBody,
        );
      }
      if (!result.valid) failures.push(`${label}: response: ${result.errors.join("; ")}`);
    } else {
      const result = spec.validateSchema("Error.yaml", x.responseBody);
      if (!result.valid) failures.push(`${label}: error body: ${result.errors.join("; ")}`);
    }
    if (opts.requests && x.requestBody !== undefined && x.status < 500) {
      const result = spec.validateRequest(op, x.requestBody);
      if (!result.valid) failures.push(`${label}: request: ${result.errors.join("; ")}`);
    }
  }
  return failures;
}

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIhNtA2V3BKYIh1KcKlBOngqfbeOupN0CNCUPGRNiAXj test@example";
const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDugHe/AWNpXkOIOc5CnWrMHNGHdlJnf2RASCcdiH3YQuwyxOV6r2i5kHMV3L/glPRxFLuBkKLVDKH0doMlnjL2YQJfwM/QVVqCYKf6JNxgbFQRd8cFX0CYjvNmomFSDOsGaPKzMXONg6U3PsCMzkwT72Eno7l3QONS6vYqcIdwV/rWnnA77gr651ytzdVICSRbbkXoe7KKnKchBByeGEH9j3TUxBJJLdKDpf43JXN0eiLBDS3BlqSeKqYLN4WYvfyG40J3OGd42LPNIb/LSc6PRgoslFcj1U+chHse29TFzOZu+6rXgnNAc6U5wGBvc5B3PXwQqKvb16nYkS9zdyOh rsa@example";

testUnless(METAL_OPENAPI_MISSING, {
  name: "conformance: the spec loads, and every simulator route is an operation of it",
  fn: () => {
    const spec = loadMetalOpenApi(PATCHES);
    for (const r of ROUTES) {
      const key = `${r.method} ${r.template}`;
      if (NOT_IN_SPEC.has(key)) continue;
      const path = r.template.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000");
      const op = spec.findOperation(r.method, path);
      assert.equal(op && `${op.method} ${op.template}`, key, `simulator route ${key} is not in the spec`);
    }
  },
});

testUnless(METAL_OPENAPI_MISSING, {
  name: "conformance: every simulator response of a scenario over all endpoints matches the spec",
  fn: async () => {
    const spec = loadMetalOpenApi(PATCHES);
    const clock = new FakeClock();
    const sim = new MetalSimulator({ clock, randomSeed: 5 });
    const rec = recorder(sim);
    const p = sim.defaultProjectId;
    const foreign = sim.seed.projects[1].id;
    const call = async (method: string, path: string, body?: unknown, token: string | null = sim.defaultToken) => {
      const headers: Record<string, string> = { Accept: "application/json" };
      if (token !== null) headers["X-Auth-Token"] = token;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const res = await rec.fetch(`${IN_PROCESS_BASE_URL}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    // Account and catalogue.
    await call("GET", "/user");
    await call("GET", "/projects");
    await call("GET", `/projects/${p}`);
    await call("GET", `/projects/${p}?include=organization`);
    const metros = (await call("GET", "/locations/metros")).body.metros;
    await call("GET", `/locations/metros/${metros[0].id}`);
    await call("GET", "/facilities?include=address");
    await call("GET", `/projects/${p}/facilities`);
    await call("GET", "/plans");
    await call("GET", `/projects/${p}/plans`);
    await call("GET", "/operating-systems");
    await call("GET", "/capacity/metros");
    await call("POST", "/capacity/metros", { servers: [{ metro: "ny", plan: "c3.small.x86", quantity: "2" }] });

    // SSH keys.
    const key = (await call("POST", `/projects/${p}/ssh-keys`, { label: "infra", key: RSA, tags: ["a"] })).body;
    await call("GET", `/projects/${p}/ssh-keys`);
    await call("GET", `/ssh-keys/${key.id}`);
    await call("PUT", `/ssh-keys/${key.id}`, { label: "infra-2" });
    const userKey = (await call("POST", "/ssh-keys", { label: "mine", key: ED25519 })).body;
    await call("GET", "/ssh-keys");
    await call("DELETE", `/ssh-keys/${userKey.id}`);

    // Devices in every phase, with includes.
    const reservations = (await call("GET", `/projects/${p}/hardware-reservations`)).body.hardware_reservations;
    const onDemand = (await call("POST", `/projects/${p}/devices?include=facility`, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
      hostname: "w1",
      userdata: "#cloud-config",
      billing_cycle: "hourly",
      project_ssh_keys: [key.id],
      tags: ["kubernetes.io/cluster/shoot--a--b", "kubernetes.io/role/node"],
    })).body;
    const reserved = (await call("POST", `/projects/${p}/devices`, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "custom_ipxe",
      ipxe_script_url: "https://boot.example/ipxe",
      hardware_reservation_id: "next-available",
    })).body;
    await call("POST", `/projects/${p}/devices`, {
      facility: ["ny5", "any"],
      plan: "m3.small.x86",
      operating_system: "ubuntu_22_04",
      spot_instance: true,
      spot_price_max: 0.5,
      termination_time: "2030-01-01T00:00:00Z",
    });
    await call("GET", `/devices/${onDemand.id}`);
    await clock.advance(20_000);
    await call("GET", `/devices/${onDemand.id}?include=ip_addresses.parent_block,parent_block`);
    await clock.advance(60_000);
    await call(
      "GET",
      `/devices/${reserved.id}?include=project,hardware_reservation,ssh_keys,ip_addresses.parent_block`,
    );
    await call("GET", `/devices/${onDemand.id}?exclude=plan,metro,facility,operating_system,ip_addresses`);
    await call("GET", `/projects/${p}/devices?per_page=2`);
    await call("GET", `/projects/${p}/devices?per_page=2&page=2&include=hardware_reservation`);
    await call("GET", `/projects/${p}/hardware-reservations?provisionable=only&include=device`);
    await call("GET", `/hardware-reservations/${reservations[0].id}?include=device,project`);
    await call("PUT", `/devices/${onDemand.id}`, { description: "renamed", tags: ["x"] });
    await call("POST", `/devices/${onDemand.id}/actions`, { type: "reboot" });
    await call("GET", `/devices/${onDemand.id}/ips?include=parent_block`);

    // Elastic IPs and the overloaded /ips/{id}.
    const eip = (await call("POST", `/projects/${p}/ips`, {
      type: "public_ipv4",
      quantity: 1,
      metro: "ny",
      tags: ["usage=cloud-provider-equinix-metal-auto"],
      fail_on_approval_required: true,
    })).body;
    await call("GET", `/projects/${p}/ips?include=assignments`);
    await call("GET", `/projects/${p}/ips?types=public_ipv4`);
    const assigned = (await call("POST", `/devices/${onDemand.id}/ips`, { address: eip.address })).body;
    await call("GET", `/ips/${eip.id}?include=assignments`);
    await call("GET", `/ips/${assigned.id}`);
    await call("PATCH", `/ips/${eip.id}`, { details: "lb", tags: ["a", "b"] });
    await call("DELETE", `/ips/${assigned.id}`);
    await call("DELETE", `/ips/${eip.id}`);

    // BGP as the CCM calls it.
    await call("GET", `/projects/${p}/bgp-config`);
    await call("POST", `/projects/${p}/bgp-configs`, {
      asn: 65000,
      deployment_type: "local",
      md5: "Secret12345",
      use_case: "kubernetes-load-balancer",
    });
    await call("GET", `/projects/${p}/bgp-config`);
    const session = (await call("POST", `/devices/${onDemand.id}/bgp/sessions`, { address_family: "ipv4" })).body;
    await call("POST", `/devices/${onDemand.id}/bgp/sessions`, { address_family: "ipv4" });
    await call("GET", `/devices/${onDemand.id}/bgp/sessions`);
    await call("GET", `/devices/${onDemand.id}/bgp/neighbors`);
    await call("GET", `/projects/${p}/bgp/sessions`);
    await call("GET", `/bgp/sessions/${session.id}`);
    await call("PUT", `/bgp/sessions/${session.id}`, true);
    await call("DELETE", `/bgp/sessions/${session.id}`);

    // Error answers.
    await call("GET", `/projects/${p}/devices`, undefined, "wrong-token-123");
    await call("GET", `/projects/${foreign}/devices`);
    await call("GET", "/devices/00000000-0000-4000-8000-000000000000");
    await call("POST", `/projects/${p}/devices`, {
      metro: "xx",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
    });
    await call("POST", `/projects/${p}/devices`, {
      metro: "da",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
      hardware_reservation_id: "next-available",
    });
    sim.lockDevice(onDemand.id, true);
    await call("DELETE", `/devices/${onDemand.id}`);
    sim.lockDevice(onDemand.id, false);

    // Deletion.
    await call("DELETE", `/ssh-keys/${key.id}`);
    await call("DELETE", `/devices/${onDemand.id}`);
    await call("GET", `/devices/${onDemand.id}`);
    await clock.advance(60_000);
    await call("GET", `/devices/${onDemand.id}`);

    const failures = check(spec, rec.exchanges, { requests: true });
    assert.deepEqual(failures, [], `non-conforming exchanges:\n${failures.join("\n")}`);

    // The scenario touched every route of the simulator.
    const touched = new Set(rec.exchanges.map((x) => {
      const op = spec.findOperation(x.method, x.path);
      return op ? `${op.method} ${op.template}` : "";
    }));
    const missing = ROUTES.map((r) => `${r.method} ${r.template}`).filter((k) =>
      !NOT_IN_SPEC.has(k) && !touched.has(k)
    );
    assert.deepEqual(missing, [], "routes the scenario did not exercise");
    // Statuses seen, so that a scenario that quietly stopped producing errors is noticed.
    const statuses = new Set(rec.exchanges.map((x) => x.status));
    for (const s of [200, 201, 202, 204, 401, 403, 404, 422, 503]) {
      assert.ok(statuses.has(s), `no ${s} in the scenario`);
    }
  },
});

testUnless(METAL_OPENAPI_MISSING, {
  name: "conformance: every request the client sends, and every answer it gets, matches the spec",
  fn: async () => {
    const spec = loadMetalOpenApi(PATCHES);
    const clock = new FakeClock();
    const sim = new MetalSimulator({ clock, randomSeed: 6 });
    const rec = recorder(sim);
    const client = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: rec.fetch, clock });
    const p = sim.defaultProjectId;

    const metros = await client.locations.listMetros();
    await client.locations.getMetro(metros[0].id);
    await client.locations.listFacilities({ include: ["address"] });
    await client.plans.list({ slug: "c3.small.x86" });
    await client.operatingSystems.list();
    await client.capacity.getMetros();
    await client.capacity.checkMetros([{ metro: "ny", plan: "c3.small.x86", quantity: 3 }]);

    const key = await client.sshKeys.createForProject(p, { label: "shoot--a--b-ssh-publickey", key: RSA });
    await client.sshKeys.listForProject(p, { query: "shoot" });
    await client.sshKeys.get(key.id);
    await client.sshKeys.update(key.id, { label: "renamed", tags: ["x"] });

    const reservations = await client.hardwareReservations.listForProject(p, { provisionableOnly: true });
    await client.hardwareReservations.get(reservations[0].id, { include: ["device"] });

    const device = await client.devices.create(p, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
      hostname: "shoot--a--b-worker-z1-abcde",
      userdata: "#!/bin/bash\necho hi",
      billing_cycle: "hourly",
      project_ssh_keys: [key.id],
      tags: ["kubernetes.io/cluster/shoot--a--b", "kubernetes.io/role/node"],
    });
    const reserved = await client.devices.create(p, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "custom_ipxe",
      ipxe_script_url: "https://boot.example/ipxe",
      hardware_reservation_id: "next-available",
      always_pxe: true,
    });
    await clock.advance(60_000);
    await client.devices.get(device.id, { include: ["ip_addresses.parent_block", "parent_block"] });
    await client.devices.listByProject(p, { tag: "kubernetes.io/role/node", perPage: 1 });
    await client.devices.update(device.id, { description: "d", tags: ["a"] });
    await client.devices.performAction(device.id, { type: "power_off" });
    await client.devices.delete(reserved.id, { force: true });
    await client.devices.delete(device.id);
    await client.sshKeys.delete(key.id);

    const failures = check(spec, rec.exchanges, { requests: true });
    assert.deepEqual(failures, [], `non-conforming exchanges:\n${failures.join("\n")}`);
    const sentBodies = rec.exchanges.filter((x) => x.requestBody !== undefined).length;
    assert.ok(sentBodies >= 7, `the client sent ${sentBodies} request bodies`);
  },
});
