/**
 * Authentication and authorisation: tokens map to a user (sees the projects of its organisations) or to one
 * project. Unknown ids answer 404, existing objects the caller may not see 403.
 */
import { forbidden, notFound, unauthenticated } from "./api_errors.ts";
import type { RequestContext } from "./context.ts";
import { isUuid } from "../../runtime/uuid.ts";
import { isVanished } from "./lifecycle.ts";
import type {
  DeviceRecord,
  HardwareReservationRecord,
  IpAssignmentRecord,
  IpReservationRecord,
  Principal,
  ProjectRecord,
  SshKeyRecord,
  World,
} from "./world.ts";

/** The principal of an `X-Auth-Token`, or 401. */
export function authenticate(world: World, token: string | null): Principal {
  const principal = token ? world.tokens.get(token) : undefined;
  if (!principal) throw unauthenticated();
  return principal;
}

/** True if the principal may see the project. */
export function canSeeProject(principal: Principal, project: ProjectRecord): boolean {
  return principal.kind === "project"
    ? principal.projectId === project.id
    : principal.user.orgIds.includes(project.orgId);
}

/** Projects the principal may see, in creation order. */
export function visibleProjects(world: World, principal: Principal): ProjectRecord[] {
  return [...world.projects.values()].filter((p) => canSeeProject(principal, p));
}

/** The project of a path parameter: 404 if unknown, 403 if not the caller's. */
export function requireProject(ctx: RequestContext, id: string): ProjectRecord {
  const project = isUuid(id) ? ctx.world.projects.get(id.toLowerCase()) : undefined;
  if (!project) throw notFound();
  if (!canSeeProject(ctx.principal, project)) throw forbidden("project");
  return project;
}

/** A device: 404 if unknown, gone or not committed yet (late-commit fault), 403 if not the caller's or if it vanished after failing to provision. */
export function requireDevice(ctx: RequestContext, id: string): DeviceRecord {
  const device = isUuid(id) ? ctx.world.devices.get(id.toLowerCase()) : undefined;
  if (!device || ctx.world.stateOf(device, ctx.now) === "gone" || ctx.world.isUncommitted(device, ctx.now)) {
    throw notFound();
  }
  const project = ctx.world.projects.get(device.projectId)!;
  if (!canSeeProject(ctx.principal, project) || isVanished(device.lifecycle, ctx.now)) throw forbidden("device");
  return device;
}

/** An SSH key: project keys need project access, user keys belong to their user only. */
export function requireSshKey(ctx: RequestContext, id: string): SshKeyRecord {
  const key = isUuid(id) ? ctx.world.sshKeys.get(id.toLowerCase()) : undefined;
  if (!key) throw notFound();
  const allowed = key.owner.kind === "project"
    ? canSeeProject(ctx.principal, ctx.world.projects.get(key.owner.id)!)
    : ctx.principal.kind === "user" && ctx.principal.user.id === key.owner.id;
  if (!allowed) throw forbidden("ssh key");
  return key;
}

/** A hardware reservation of one of the caller's projects. */
export function requireHardwareReservation(ctx: RequestContext, id: string): HardwareReservationRecord {
  const r = isUuid(id) ? ctx.world.hardwareReservations.get(id.toLowerCase()) : undefined;
  if (!r) throw notFound();
  if (!canSeeProject(ctx.principal, ctx.world.projects.get(r.projectId)!)) throw forbidden("hardware reservation");
  return r;
}

/** An IP reservation or assignment (`/ips/{id}` accepts both). */
export function requireIp(
  ctx: RequestContext,
  id: string,
): { reservation: IpReservationRecord } | { assignment: IpAssignmentRecord } {
  const key = id.toLowerCase();
  const reservation = isUuid(id) ? ctx.world.ipReservations.get(key) : undefined;
  if (reservation) {
    if (!canSeeProject(ctx.principal, ctx.world.projects.get(reservation.projectId)!)) throw forbidden("ip address");
    return { reservation };
  }
  const assignment = isUuid(id) ? ctx.world.ipAssignments.get(key) : undefined;
  if (!assignment) throw notFound();
  const device = ctx.world.devices.get(assignment.deviceId);
  if (!device || !canSeeProject(ctx.principal, ctx.world.projects.get(device.projectId)!)) {
    throw forbidden("ip address");
  }
  return { assignment };
}
