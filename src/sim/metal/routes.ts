/** The route table of the simulated API (paths below `/metal/v1`) and the matcher that finds a route. */
import * as bgp from "./bgp.ts";
import * as capacity from "./capacity_routes.ts";
import * as catalog from "./catalog_routes.ts";
import type { Handler } from "./context.ts";
import * as devices from "./devices.ts";
import * as hw from "./hardware_reservations.ts";
import * as ips from "./ip_reservations.ts";
import * as projects from "./projects.ts";
import * as ssh from "./ssh_keys.ts";

/** One endpoint. */
export interface Route {
  readonly method: string;
  readonly template: string;
  readonly handler: Handler;
}

/** Every endpoint the simulator serves. */
export const ROUTES: readonly Route[] = [
  ["GET", "/projects", projects.listProjects],
  ["GET", "/projects/{id}", projects.getProject],
  ["GET", "/user", projects.getCurrentUser],
  ["POST", "/projects/{id}/devices", devices.createDeviceHandler],
  ["GET", "/projects/{id}/devices", devices.listDevices],
  ["GET", "/devices/{id}", devices.getDevice],
  ["PUT", "/devices/{id}", devices.updateDevice],
  ["PATCH", "/devices/{id}", devices.updateDevice],
  ["DELETE", "/devices/{id}", devices.deleteDevice],
  ["POST", "/devices/{id}/actions", devices.deviceAction],
  ["GET", "/devices/{id}/ips", devices.listDeviceIps],
  ["POST", "/devices/{id}/ips", devices.assignDeviceIp],
  ["GET", "/devices/{id}/bgp/sessions", bgp.listDeviceBgpSessions],
  ["POST", "/devices/{id}/bgp/sessions", bgp.createBgpSession],
  ["GET", "/devices/{id}/bgp/neighbors", bgp.getBgpNeighbors],
  ["GET", "/projects/{id}/bgp-config", bgp.getBgpConfig],
  ["POST", "/projects/{id}/bgp-configs", bgp.requestBgpConfig],
  ["GET", "/projects/{id}/bgp/sessions", bgp.listProjectBgpSessions],
  ["GET", "/bgp/sessions/{id}", bgp.getBgpSession],
  ["PUT", "/bgp/sessions/{id}", bgp.updateBgpSession],
  ["DELETE", "/bgp/sessions/{id}", bgp.deleteBgpSession],
  ["GET", "/projects/{id}/ssh-keys", ssh.listProjectSshKeys],
  ["POST", "/projects/{id}/ssh-keys", ssh.createProjectSshKey],
  ["GET", "/ssh-keys", ssh.listUserSshKeys],
  ["POST", "/ssh-keys", ssh.createUserSshKey],
  ["GET", "/ssh-keys/{id}", ssh.getSshKey],
  ["PUT", "/ssh-keys/{id}", ssh.updateSshKey],
  ["PATCH", "/ssh-keys/{id}", ssh.updateSshKey],
  ["DELETE", "/ssh-keys/{id}", ssh.deleteSshKey],
  ["GET", "/projects/{id}/hardware-reservations", hw.listHardwareReservations],
  ["GET", "/hardware-reservations/{id}", hw.getHardwareReservation],
  ["GET", "/locations/metros", catalog.listMetros],
  ["GET", "/locations/metros/{id}", catalog.getMetro],
  ["GET", "/facilities", catalog.listFacilities],
  ["GET", "/projects/{id}/facilities", catalog.listFacilities],
  ["GET", "/plans", catalog.listPlans],
  ["GET", "/projects/{id}/plans", catalog.listPlans],
  ["GET", "/operating-systems", catalog.listOperatingSystems],
  ["GET", "/capacity/metros", capacity.getMetroCapacity],
  ["POST", "/capacity/metros", capacity.checkMetroCapacity],
  ["GET", "/projects/{id}/ips", ips.listIpReservations],
  ["POST", "/projects/{id}/ips", ips.requestIpReservation],
  ["GET", "/ips/{id}", ips.getIp],
  ["PATCH", "/ips/{id}", ips.updateIp],
  ["DELETE", "/ips/{id}", ips.deleteIp],
].map(([method, template, handler]) => ({ method, template, handler } as Route));

const compiled = ROUTES.map((r) => ({ route: r, parts: r.template.split("/").slice(1) }));

/** Template used in counters for paths that match no route. */
export const UNMATCHED = "(unmatched)";

/** Finds the route of a method and path (below `/metal/v1`), with its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { route?: undefined; template: string } {
  const parts = path.replace(/\/+$/, "").split("/").slice(1);
  let templateOfPath: string | undefined;
  for (const { route, parts: tp } of compiled) {
    if (tp.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let okay = true;
    for (let i = 0; i < tp.length && okay; i++) {
      if (tp[i].startsWith("{")) params[tp[i].slice(1, -1)] = decodeURIComponent(parts[i]);
      else okay = tp[i] === parts[i];
    }
    if (!okay) continue;
    templateOfPath ??= route.template;
    if (route.method === method) return { route, params };
  }
  return { template: templateOfPath ?? UNMATCHED };
}
