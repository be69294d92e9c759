/**
 * BGP as the cloud-controller-manager needs it at start-up: the project config (200 `{}` until enabled; the request
 * is 204 and not idempotent), device sessions (duplicate family → 422 "already has session") and neighbours.
 */
import { bgpSessionExists, forbidden, notFound, TEXT, unprocessable } from "./api_errors.ts";
import { canSeeProject, requireDevice, requireProject } from "./access.ts";
import { BgpConfigBody, BgpSessionBody, BgpSessionUpdateBody, parseBody } from "./bodies.ts";
import { created, type Handler, noContent, ok, type RequestContext } from "./context.ts";
import { isUuid } from "../../runtime/uuid.ts";
import { stateAt } from "./lifecycle.ts";
import { API_PREFIX, href, iso } from "./render.ts";
import { formatAddress, hostAndGateway } from "./render_ip.ts";
import type { BgpSessionRecord, DeviceRecord, ProjectRecord } from "./world.ts";

/** Peer ASN of Equinix Metal's routers (the CCM's default). */
export const PEER_ASN = 65530;
const MD5_RE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d]{10,20}$/;

function renderSession(ctx: RequestContext, s: BgpSessionRecord): Record<string, unknown> {
  const d = ctx.world.devices.get(s.deviceId);
  return {
    id: s.id,
    href: `${API_PREFIX}/bgp/sessions/${s.id}`,
    address_family: s.family,
    default_route: s.defaultRoute,
    // One status per switch; "unknown" until the device is up.
    status: d && stateAt(d.lifecycle, ctx.now) === "active" ? "up,up" : "unknown",
    learned_routes: [],
    device: href(`/devices/${s.deviceId}`),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

function sessionsOf(ctx: RequestContext, devices: (d: DeviceRecord) => boolean): BgpSessionRecord[] {
  return [...ctx.world.bgpSessions.values()].filter((s) => {
    const d = ctx.world.devices.get(s.deviceId);
    return d !== undefined && devices(d);
  });
}

function renderConfig(ctx: RequestContext, p: ProjectRecord): Record<string, unknown> {
  const c = p.bgpConfig!;
  return {
    id: c.id,
    href: `${API_PREFIX}/bgp-configs/${c.id}`,
    asn: c.asn,
    deployment_type: c.deploymentType,
    status: c.status,
    md5: c.md5 ?? null,
    max_prefix: 10,
    project: href(`/projects/${p.id}`),
    sessions: sessionsOf(ctx, (d) => d.projectId === p.id).map((s) => renderSession(ctx, s)),
    ranges: [],
    created_at: iso(c.createdAt),
    requested_at: iso(c.createdAt),
  };
}

/** `GET /projects/{id}/bgp-config`: 200 `{}` when BGP was never enabled. */
export const getBgpConfig: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  return ok(project.bgpConfig ? renderConfig(ctx, project) : {});
};

/** `POST /projects/{id}/bgp-configs` → 204; a second request is refused (the config cannot be changed). */
export const requestBgpConfig: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const body = parseBody(BgpConfigBody, ctx.body, "bgp_config");
  if (project.bgpConfig) throw unprocessable("BGP configuration has already been requested for this project");
  const md5 = body.md5 || undefined;
  if (md5 !== undefined && !MD5_RE.test(md5)) {
    throw unprocessable(
      "bgp_config.md5: must be 10-20 letters and digits with at least one lowercase, one uppercase and one digit",
    );
  }
  project.bgpConfig = {
    id: ctx.world.newId(),
    asn: body.asn,
    deploymentType: body.deployment_type,
    md5,
    useCase: body.use_case ?? undefined,
    // Local configs are enabled at once; global ones wait for review.
    status: body.deployment_type === "local" ? "enabled" : "requested",
    createdAt: ctx.now,
  };
  return noContent();
};

/** `POST /devices/{id}/bgp/sessions` → 201; one session per address family. */
export const createBgpSession: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const body = parseBody(BgpSessionBody, ctx.body ?? {}, "bgp_session");
  const config = ctx.world.projects.get(d.projectId)!.bgpConfig;
  if (!config || config.status !== "enabled") throw unprocessable(TEXT.bgpNotEnabled);
  const family = body.address_family ?? "ipv4";
  if (sessionsOf(ctx, (x) => x.id === d.id).some((s) => s.family === family)) throw bgpSessionExists(family);
  const s: BgpSessionRecord = {
    id: ctx.world.newId(),
    deviceId: d.id,
    family,
    defaultRoute: body.default_route ?? false,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  ctx.world.bgpSessions.set(s.id, s);
  return created(renderSession(ctx, s));
};

/** `GET /devices/{id}/bgp/sessions`. */
export const listDeviceBgpSessions: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  return ok({ bgp_sessions: sessionsOf(ctx, (x) => x.id === d.id).map((s) => renderSession(ctx, s)) });
};

/** `GET /projects/{id}/bgp/sessions`. */
export const listProjectBgpSessions: Handler = (ctx) => {
  const p = requireProject(ctx, ctx.params.id);
  return ok({ bgp_sessions: sessionsOf(ctx, (x) => x.projectId === p.id).map((s) => renderSession(ctx, s)) });
};

/** `GET /devices/{id}/bgp/neighbors`: one entry per session (empty until a session exists). */
export const getBgpNeighbors: Handler = (ctx) => {
  const d = requireDevice(ctx, ctx.params.id);
  const config = ctx.world.projects.get(d.projectId)!.bgpConfig;
  const neighbours = sessionsOf(ctx, (x) => x.id === d.id).map((s) => {
    const family = s.family === "ipv4" ? 4 : 6;
    const a = d.ipAssignmentIds.map((id) => ctx.world.ipAssignments.get(id)!).find((x) =>
      x.family === family && (family === 6 || !x.public)
    );
    const address = a ? formatAddress(a.family, hostAndGateway(a.family, a.network, a.cidr).address) : "";
    return {
      address_family: family,
      customer_as: config?.asn ?? 65000,
      customer_ip: address,
      md5_enabled: config?.md5 !== undefined,
      md5_password: config?.md5 ?? "",
      multihop: true,
      peer_as: PEER_ASN,
      peer_ips: family === 4 ? ["169.254.255.1", "169.254.255.2"] : ["fc00::e", "fc00::f"],
      routes_in: a ? [{ route: `${formatAddress(a.family, a.network)}/${a.cidr}`, exact: true }] : [],
      routes_out: s.defaultRoute ? [{ route: family === 4 ? "0.0.0.0/0" : "::/0", exact: true }] : [],
    };
  });
  return ok({ bgp_neighbors: neighbours });
};

function requireSession(ctx: RequestContext): BgpSessionRecord {
  const s = isUuid(ctx.params.id) ? ctx.world.bgpSessions.get(ctx.params.id.toLowerCase()) : undefined;
  const d = s ? ctx.world.devices.get(s.deviceId) : undefined;
  if (!s || !d) throw notFound();
  if (!canSeeProject(ctx.principal, ctx.world.projects.get(d.projectId)!)) throw forbidden("bgp session");
  return s;
}

/** `GET /bgp/sessions/{id}`. */
export const getBgpSession: Handler = (ctx) => ok(renderSession(ctx, requireSession(ctx)));

/** `PUT /bgp/sessions/{id}`: body `true`/`false` (spec) or `{"default_route": bool}` (packngo); 200 without a body. */
export const updateBgpSession: Handler = (ctx) => {
  const s = requireSession(ctx);
  s.defaultRoute = parseBody(BgpSessionUpdateBody, ctx.body, "bgp_session");
  s.updatedAt = ctx.now;
  return { status: 200 };
};

/** `DELETE /bgp/sessions/{id}` → 204. */
export const deleteBgpSession: Handler = (ctx) => {
  ctx.world.bgpSessions.delete(requireSession(ctx).id);
  return noContent();
};
