/**
 * JSON representations of catalogue objects, projects, users, SSH keys and hardware reservations, shaped like the
 * real API's and honouring `include`/`exclude` the way it does: nested references are `{href}`
 * unless included, excluded objects collapse to `{href}`.
 */
import {
  type CatalogFacility,
  type CatalogMetro,
  type CatalogOperatingSystem,
  type CatalogPlan,
  FACILITIES,
  findFacility,
  findMetro,
  findPlan,
  METROS,
} from "./catalog.ts";
import { shortId } from "./ids.ts";
import type { Expansion } from "./query.ts";
import { nested } from "./query.ts";
import type { HardwareReservationRecord, OrgRecord, ProjectRecord, SshKeyRecord, UserRecord, World } from "./world.ts";

/** API base path of resource hrefs. */
export const API_PREFIX = "/metal/v1";

/** `{"href": "/metal/v1/<path>"}`. */
export function href(path: string): { href: string } {
  return { href: `${API_PREFIX}${path}` };
}

/** RFC 3339 timestamp without fractional seconds, as the API prints them. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** True if the attribute should be expanded although it defaults to `{href}`. */
export function included(e: Expansion, attr: string): boolean {
  if (e.exclude.has(attr)) return false;
  for (const p of e.include) if (p === attr || p.startsWith(`${attr}.`)) return true;
  return false;
}

/** True if an attribute that defaults to expanded was excluded. */
export function excluded(e: Expansion, attr: string): boolean {
  return e.exclude.has(attr);
}

/** A metro object. */
export function renderMetro(m: CatalogMetro): Record<string, unknown> {
  return { id: m.id, code: m.code, name: m.name, country: m.country };
}

/** A metro, or `{href}` when excluded. */
export function metroField(code: string, e: Expansion, attr = "metro"): Record<string, unknown> {
  const m = findMetro(code)!;
  return excluded(e, attr) ? href(`/locations/metros/${m.id}`) : renderMetro(m);
}

/** A facility object (address only when included; the API excludes it by default). */
export function renderFacility(f: CatalogFacility, e: Expansion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    code: f.code,
    name: f.name,
    features: [...f.features],
    ip_ranges: [...f.ipRanges],
    metro: renderMetro(findMetro(f.metro)!),
  };
  if (e.include.has("address") && !e.exclude.has("address")) {
    out.address = { ...f.address, coordinates: { latitude: "0.0", longitude: "0.0" } };
  }
  return out;
}

/** A facility, or `{href}` when excluded. */
export function facilityField(code: string, e: Expansion, attr = "facility"): Record<string, unknown> {
  const f = findFacility(code)!;
  return excluded(e, attr) ? href(`/facilities/${f.id}`) : renderFacility(f, nested(e, attr));
}

/** A plan. `full` adds where it is sold (the plan lists); devices carry the compact form. */
export function renderPlan(p: CatalogPlan, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: p.id,
    slug: p.slug,
    name: p.name,
    description: p.description,
    class: p.class,
    line: p.line,
    type: p.type,
    legacy: false,
    categories: [...p.categories],
    deployment_types: ["on_demand", "spot_market"],
    specs: p.specs, // rendered bodies are serialised at once; catalogue data is never mutated
    pricing: { hour: p.priceHour },
  };
  if (full) {
    const price = { hour: p.priceHour };
    out.available_in = FACILITIES.filter((f) => p.metros.includes(f.metro)).map((f) => ({
      href: `${API_PREFIX}/facilities/${f.id}`,
      price,
    }));
    out.available_in_metros = METROS.filter((m) => p.metros.includes(m.code)).map((m) => ({
      href: `${API_PREFIX}/locations/metros/${m.id}`,
      price,
    }));
  }
  return out;
}

/** A plan of a device/reservation, or `{href}` when excluded. */
export function planField(slug: string, e: Expansion, attr = "plan"): Record<string, unknown> {
  const p = findPlan(slug)!;
  return excluded(e, attr) ? href(`/plans/${p.id}`) : renderPlan(p, false);
}

/** An operating system. */
export function renderOperatingSystem(o: CatalogOperatingSystem): Record<string, unknown> {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    distro: o.distro,
    distro_label: o.distroLabel,
    version: o.version,
    provisionable_on: [...o.provisionableOn],
    preinstallable: o.preinstallable,
    licensed: o.licensed,
    pricing: {},
    default_operating_system: o.defaultOperatingSystem,
  };
}

/** An organisation. */
export function renderOrganization(world: World, o: OrgRecord): Record<string, unknown> {
  return {
    id: o.id,
    href: `${API_PREFIX}/organizations/${o.id}`,
    name: o.name,
    created_at: iso(o.createdAt),
    updated_at: iso(o.createdAt),
    customdata: {},
    projects: [...world.projects.values()].filter((p) => p.orgId === o.id).map((p) => href(`/projects/${p.id}`)),
    members: [...world.users.values()].filter((u) => u.orgIds.includes(o.id)).map((u) => href(`/users/${u.id}`)),
    memberships: [],
  };
}

/** A project; `organization` expanded only when included. */
export function renderProject(world: World, p: ProjectRecord, e: Expansion): Record<string, unknown> {
  const org = world.orgs.get(p.orgId)!;
  return {
    id: p.id,
    href: `${API_PREFIX}/projects/${p.id}`,
    name: p.name,
    created_at: iso(p.createdAt),
    updated_at: iso(p.createdAt),
    backend_transfer_enabled: false,
    customdata: {},
    tags: [],
    type: "default",
    organization: included(e, "organization") ? renderOrganization(world, org) : href(`/organizations/${org.id}`),
    payment_method: href(`/payment-methods/${org.id}`),
    bgp_config: href(`/projects/${p.id}/bgp-config`),
    devices: [...p.deviceIds].map((id) => href(`/devices/${id}`)),
    ssh_keys: [...p.sshKeyIds].map((id) => href(`/ssh-keys/${id}`)),
    members: [...world.users.values()].filter((u) => u.orgIds.includes(p.orgId)).map((u) => href(`/users/${u.id}`)),
    memberships: [],
    invitations: [],
    volumes: [],
    max_devices: {},
    network_status: {},
  };
}

/** The current user. */
export function renderUser(world: World, u: UserRecord): Record<string, unknown> {
  const defaultOrg = u.orgIds[0];
  const defaultProject = [...world.projects.values()].find((p) => p.orgId === defaultOrg);
  const out: Record<string, unknown> = {
    id: u.id,
    short_id: shortId(u.id),
    href: `${API_PREFIX}/users/${u.id}`,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    full_name: `${u.firstName} ${u.lastName}`.trim(),
    created_at: iso(u.createdAt),
    updated_at: iso(u.createdAt),
    customdata: {},
    emails: [href(`/emails/${u.id}`)],
    default_organization_id: defaultOrg,
    max_projects: 100,
    max_organizations: 10,
    timezone: "UTC",
    two_factor_auth: "",
  };
  if (defaultProject) out.default_project_id = defaultProject.id;
  return out;
}

/** A short user record (`created_by` of devices). */
export function renderUserLite(u: UserRecord): Record<string, unknown> {
  return {
    id: u.id,
    short_id: shortId(u.id),
    href: `${API_PREFIX}/users/${u.id}`,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    full_name: `${u.firstName} ${u.lastName}`.trim(),
    created_at: iso(u.createdAt),
    updated_at: iso(u.createdAt),
  };
}

/** An SSH key. */
export function renderSshKey(k: SshKeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    href: `${API_PREFIX}/ssh-keys/${k.id}`,
    label: k.label,
    key: k.key,
    fingerprint: k.fingerprint,
    tags: [...k.tags],
    created_at: iso(k.createdAt),
    updated_at: iso(k.updatedAt),
    entity: href(k.owner.kind === "project" ? `/projects/${k.owner.id}` : `/users/${k.owner.id}`),
  };
}

/** True if a hardware reservation can take a device now. */
export function isProvisionable(r: HardwareReservationRecord, now: number): boolean {
  return !r.spare && !r.needOfService && r.deviceId === undefined && now >= r.provisionableAfter;
}

/**
 * A hardware reservation. `device` is `{href}` unless included and absent while free; `project` `{href}` unless
 * included. `renderDevice` is passed in to avoid a module cycle.
 */
export function renderHardwareReservation(
  world: World,
  r: HardwareReservationRecord,
  now: number,
  e: Expansion,
  renderDevice: (id: string, e: Expansion) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    short_id: shortId(r.id),
    href: `${API_PREFIX}/hardware-reservations/${r.id}`,
    created_at: iso(r.createdAt),
    custom_rate: findPlan(r.plan)!.priceHour * 0.6,
    provisionable: isProvisionable(r, now),
    spare: r.spare,
    need_of_service: r.needOfService,
    switch_uuid: r.id.replace(/-/g, "").slice(8, 16),
    plan: planField(r.plan, e),
    facility: facilityField(r.facility, e),
    project: included(e, "project")
      ? renderProject(world, world.projects.get(r.projectId)!, nested(e, "project"))
      : href(`/projects/${r.projectId}`),
  };
  if (r.deviceId !== undefined) {
    out.device = included(e, "device") ? renderDevice(r.deviceId, nested(e, "device")) : href(`/devices/${r.deviceId}`);
  }
  return out;
}
