/**
 * Fidelity trap §12.7: the Go SDK rejects values outside its enums and `{href}` objects without `href`. Every state
 * a device passes through, and every enum-typed field of the objects our stack reads, stays inside the enum.
 */
import assert from "node:assert/strict";
import { createDevice, type Json, setup } from "./helpers.ts";

const ENUMS: Record<string, readonly (string | number)[]> = {
  "device.state": [
    "queued",
    "provisioning",
    "deprovisioning",
    "reinstalling",
    "active",
    "inactive",
    "failed",
    "powering_on",
    "powering_off",
    "deleted",
  ],
  "facility.features": ["baremetal", "backend_transfer", "layer_2", "global_ipv4", "ibx"],
  "plan.type": ["standard", "workload_optimized", "custom"],
  "plan.deployment_types": ["on_demand", "spot_market"],
  "project.type": ["default", "vmce"],
  "port.type": ["NetworkPort", "NetworkBondPort"],
  "port.network_type": ["layer2-bonded", "layer2-individual", "layer3", "hybrid", "hybrid-bonded"],
  "ip.type": ["IPAssignment"],
  "ip.address_family": [4, 6],
  "bgp_session.address_family": ["ipv4", "ipv6"],
  "bgp_config.deployment_type": ["global", "local"],
  "bgp_config.status": ["requested", "enabled", "disabled"],
  "capacity.level": ["normal", "limited", "unavailable"],
};

function inEnum(name: string, value: unknown): void {
  assert.ok(ENUMS[name].includes(value as string), `${name}: ${JSON.stringify(value)} is not in the enum`);
}

/** Reference fields of a device that the SDK types as Href (required `href`). */
function checkDevice(d: Json): void {
  inEnum("device.state", d.state);
  for (const f of d.facility.features) inEnum("facility.features", f);
  inEnum("plan.type", d.plan.type);
  for (const t of d.plan.deployment_types) inEnum("plan.deployment_types", t);
  for (const p of d.network_ports) {
    inEnum("port.type", p.type);
    inEnum("port.network_type", p.network_type);
  }
  for (const a of d.ip_addresses) {
    inEnum("ip.type", a.type);
    inEnum("ip.address_family", a.address_family);
    assert.equal(typeof a.assigned_to.href, "string");
    assert.equal(typeof a.parent_block.href, "string");
  }
  for (const ref of [d.project, d.project_lite, ...d.ssh_keys, ...d.volumes]) assert.equal(typeof ref.href, "string");
}

Deno.test("enums: a device stays inside the SDK's enums through every state it passes", async () => {
  const { sim, clock, api } = setup({ timings: { queuedMs: 1_000, provisioningMs: 4_000, powerTransitionMs: 1_000 } });
  const d = await createDevice(api, sim.defaultProjectId);
  const seen = new Set<string>();
  const look = async () => {
    const body = (await api.get(`/devices/${d.id}`)).body;
    checkDevice(body);
    seen.add(body.state);
  };
  for (let i = 0; i < 6; i++) {
    await look();
    await clock.advance(1_000);
  }
  for (const type of ["power_off", "power_on", "reinstall"]) {
    await api.post(`/devices/${d.id}/actions`, { type });
    await look();
    await clock.advance(5_000);
    await look();
  }
  await api.del(`/devices/${d.id}`);
  await look();
  assert.deepEqual(
    [...seen].sort(),
    ["active", "deprovisioning", "inactive", "powering_off", "powering_on", "provisioning", "queued", "reinstalling"],
  );
  sim.failNextCreates(1, "failed");
  const f = await createDevice(api, sim.defaultProjectId);
  await clock.advance(5_000);
  const failed = (await api.get(`/devices/${f.id}`)).body;
  checkDevice(failed);
  assert.equal(failed.state, "failed");
});

Deno.test("enums: projects, plans, facilities, capacity, BGP objects and IP addresses use enum values only", async () => {
  const { sim, clock, api } = setup();
  const p = sim.defaultProjectId;
  for (const project of (await api.get("/projects")).body.projects) inEnum("project.type", project.type);
  for (const plan of (await api.get("/plans")).body.plans) inEnum("plan.type", plan.type);
  for (const f of (await api.get("/facilities")).body.facilities) {
    for (const x of f.features) inEnum("facility.features", x);
  }
  for (const plans of Object.values((await api.get("/capacity/metros")).body.capacity as Record<string, Json>)) {
    for (const v of Object.values(plans as Record<string, { level: string }>)) inEnum("capacity.level", v.level);
  }
  const d = await createDevice(api, p);
  await clock.advance(60_000);
  await api.post(`/projects/${p}/bgp-configs`, { asn: 65000, deployment_type: "local" });
  const cfg = (await api.get(`/projects/${p}/bgp-config`)).body;
  inEnum("bgp_config.deployment_type", cfg.deployment_type);
  inEnum("bgp_config.status", cfg.status);
  assert.equal(typeof cfg.project.href, "string");
  const s = (await api.post(`/devices/${d.id}/bgp/sessions`, { address_family: "ipv4" })).body;
  inEnum("bgp_session.address_family", s.address_family);
  assert.equal(typeof s.device.href, "string");
  for (const a of (await api.get(`/devices/${d.id}/ips`)).body.ip_addresses) inEnum("ip.type", a.type);
});
