/**
 * The `Device` representation at an instant: state, percentage and addresses follow the lifecycle; metro, plan,
 * operating system and facility are always expanded (MCM reads `metro.code` off the create response); project and
 * hardware reservation are `{href}` unless included; IP addresses carry `parent_block` as `{href}` unless
 * `include=ip_addresses.parent_block`.
 */
import { findOperatingSystem } from "./catalog.ts";
import { shortId } from "./ids.ts";
import { ipsVisibleAt, provisioningPercentageAt, stateAt } from "./lifecycle.ts";
import { type Expansion, nested } from "./query.ts";
import {
  API_PREFIX,
  excluded,
  facilityField,
  href,
  included,
  iso,
  metroField,
  planField,
  renderHardwareReservation,
  renderOperatingSystem,
  renderProject,
  renderSshKey,
  renderUserLite,
} from "./render.ts";
import { renderAssignment } from "./render_ip.ts";
import type { DeviceRecord, World } from "./world.ts";

const ACTIONS_BY_STATE: Record<string, string[]> = {
  active: ["power_off", "reboot", "rescue", "reinstall"],
  inactive: ["power_on", "rescue", "reinstall"],
  failed: ["reinstall"],
};

const ACTION_NAMES: Record<string, string> = {
  power_on: "Power On",
  power_off: "Power Off",
  reboot: "Reboot",
  rescue: "Rescue",
  reinstall: "Reinstall",
};

/** The device as the API shows it at `now`. */
export function renderDevice(world: World, d: DeviceRecord, now: number, e: Expansion): Record<string, unknown> {
  const rawState = stateAt(d.lifecycle, now);
  const state = rawState === "gone" ? "deleted" : rawState;
  const os = findOperatingSystem(d.operatingSystem)!;
  const creator = d.createdByUserId ? world.users.get(d.createdByUserId) : undefined;
  const out: Record<string, unknown> = {
    id: d.id,
    short_id: shortId(d.id),
    href: `${API_PREFIX}/devices/${d.id}`,
    hostname: d.hostname,
    // The real API returns null for an unset description (recorded list responses).
    description: d.description ?? null,
    state,
    tags: [...d.tags],
    billing_cycle: d.billingCycle,
    locked: d.locked,
    always_pxe: d.alwaysPxe,
    userdata: d.userdata,
    customdata: d.customdata,
    user: "root",
    iqn: `iqn.${new Date(d.createdAt).toISOString().slice(0, 7)}.net.packet:device.${shortId(d.id)}`,
    bonding_mode: 4,
    network_frozen: d.networkFrozen,
    spot_instance: d.spotInstance,
    switch_uuid: d.switchUuid,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
    plan: planField(d.plan, e),
    operating_system: excluded(e, "operating_system") ? href(`/operating-systems/${os.id}`) : renderOperatingSystem(os),
    metro: metroField(d.metro, e),
    facility: facilityField(d.facility, e),
    project: included(e, "project")
      ? renderProject(world, world.projects.get(d.projectId)!, nested(e, "project"))
      : href(`/projects/${d.projectId}`),
    project_lite: href(`/projects/${d.projectId}`),
    ssh_keys: d.sshKeyIds.filter((id) => world.sshKeys.has(id)).map((id) =>
      included(e, "ssh_keys") ? renderSshKey(world.sshKeys.get(id)!) : href(`/ssh-keys/${id}`)
    ),
    ip_addresses: ipsVisibleAt(d.lifecycle, now) ? renderIps(world, d, e) : [],
    network_ports: renderPorts(d),
    volumes: [],
    actions: (ACTIONS_BY_STATE[state] ?? []).map((type) => ({ type, name: ACTION_NAMES[type] })),
    sos: `sos.${d.facility}.platformequinix.com`,
  };
  if (d.ipxeScriptUrl !== undefined) out.ipxe_script_url = d.ipxeScriptUrl;
  if (d.spotPriceMax !== undefined) out.spot_price_max = d.spotPriceMax;
  if (d.terminationTime !== undefined) out.termination_time = iso(d.terminationTime);
  if (creator) out.created_by = renderUserLite(creator);
  const pct = provisioningPercentageAt(d.lifecycle, now);
  if (pct !== undefined) out.provisioning_percentage = pct;
  if (d.hardwareReservationId) {
    const r = world.hardwareReservations.get(d.hardwareReservationId);
    out.hardware_reservation = r && included(e, "hardware_reservation")
      ? renderHardwareReservation(world, r, now, nested(e, "hardware_reservation"), (id, ne) => {
        const dev = world.devices.get(id);
        return dev ? renderDevice(world, dev, now, ne) : href(`/devices/${id}`);
      })
      : href(`/hardware-reservations/${d.hardwareReservationId}`);
  }
  return out;
}

function renderIps(world: World, d: DeviceRecord, e: Expansion): Record<string, unknown>[] {
  const ne = nested(e, "ip_addresses");
  return d.ipAssignmentIds.map((id) => world.ipAssignments.get(id)).filter((a) => a !== undefined).map((a) =>
    excluded(e, "ip_addresses") ? href(`/ips/${a.id}`) : renderAssignment(world, a, ne)
  );
}

function renderPorts(d: DeviceRecord): Record<string, unknown>[] {
  const [bond, eth0, eth1] = d.portIds;
  // Intel's OUI plus bytes of the device id: stable per device, distinct per port.
  const last = (n: number) => ((n + parseInt(d.id.slice(4, 6), 16)) % 256).toString(16).padStart(2, "0");
  const mac = (n: number) => `b4:96:91:${d.id.slice(0, 2)}:${d.id.slice(2, 4)}:${last(n)}`;
  const port = (id: string, name: string, type: string, extra: Record<string, unknown>) => ({
    id,
    href: `${API_PREFIX}/ports/${id}`,
    name,
    type,
    network_type: "layer3",
    disbond_operation_supported: true,
    ...extra,
  });
  return [
    port(bond, "bond0", "NetworkBondPort", { data: { bonded: true }, virtual_networks: [] }),
    port(eth0, "eth0", "NetworkPort", { bond: { id: bond, name: "bond0" }, data: { bonded: true, mac: mac(0) } }),
    port(eth1, "eth1", "NetworkPort", { bond: { id: bond, name: "bond0" }, data: { bonded: true, mac: mac(1) } }),
  ];
}
