/**
 * The conditions the scenario waits for and the checks it ends with: all wanted machines Running, exactly one live
 * device per machine (no duplicate from a retried create), no device of a replaced machine type left in a pool, no
 * device left at all after the deletion, no device with an SSH key its shoot did not ask for, and across a migration
 * the same devices and the same shoot objects before and after. Each returns a
 * problem text, or undefined when it holds. Pure.
 */
import type { MachineDeployment } from "../apis/machine/v1alpha1.ts";
import { machinePhase, type MachineView } from "./progress.ts";

/** A device as the checks see it. */
export interface DeviceView {
  id: string;
  hostname: string;
  state: string;
  plan: string;
  /** The driver tags each device with `kubernetes.io/cluster/<technical ID>`. */
  tags: readonly string[];
}

/** States of a device that is gone or on its way out (deletion accepted). */
const GONE_STATES = new Set(["deprovisioning", "deleted"]);

/** Devices that still exist as far as billing and nodes are concerned. */
export function liveDevices<T extends DeviceView>(devices: readonly T[]): T[] {
  return devices.filter((d) => !GONE_STATES.has(d.state));
}

function inShoots(namespaces: ReadonlySet<string>) {
  return (o: { metadata: { namespace?: string } }) => namespaces.has(o.metadata.namespace ?? "");
}

const CLUSTER_TAG = "kubernetes.io/cluster/";

function deviceOfShoots(namespaces: ReadonlySet<string>) {
  return (d: DeviceView) =>
    d.tags.some((t) => t.startsWith(CLUSTER_TAG) && namespaces.has(t.slice(CLUSTER_TAG.length)));
}

/** The devices of the shoots in any state (by the driver's cluster tag). */
export function devicesOfShoots<T extends DeviceView>(devices: readonly T[], namespaces: ReadonlySet<string>): T[] {
  return devices.filter(deviceOfShoots(namespaces));
}

/** The live devices of the shoots (by the driver's cluster tag). */
export function liveDevicesOfShoots<T extends DeviceView>(devices: readonly T[], namespaces: ReadonlySet<string>): T[] {
  return liveDevices(devices).filter(deviceOfShoots(namespaces));
}

/** All machines the MachineDeployments want exist and are Running, and no other machine is left. */
export function allRunningProblem(
  machines: readonly MachineView[],
  deployments: readonly MachineDeployment[],
  namespaces: ReadonlySet<string>,
): string | undefined {
  const mine = machines.filter(inShoots(namespaces));
  const mds = deployments.filter(inShoots(namespaces));
  if (mds.length === 0) return "no MachineDeployment yet";
  const wanted = mds.reduce((n, d) => n + (d.spec?.replicas ?? 0), 0);
  const running = mine.filter((m) => machinePhase(m) === "Running" && !m.metadata.deletionTimestamp).length;
  if (running !== wanted || mine.length !== wanted) {
    const phases: Record<string, number> = {};
    for (const m of mine) phases[machinePhase(m)] = (phases[machinePhase(m)] ?? 0) + 1;
    return `${running}/${wanted} machines Running (${mine.length} machines: ${JSON.stringify(phases)})`;
  }
  return undefined;
}

/** Exactly one live device per machine of the shoots, and no live device without its machine. */
export function duplicateDevicesProblem(
  machines: readonly MachineView[],
  devices: readonly DeviceView[],
  namespaces: ReadonlySet<string>,
): string | undefined {
  const names = new Set(machines.filter(inShoots(namespaces)).map((m) => m.metadata.name!));
  const perName = new Map<string, string[]>();
  for (const d of liveDevicesOfShoots(devices, namespaces)) {
    perName.set(d.hostname, [...(perName.get(d.hostname) ?? []), d.id]);
  }
  const problems: string[] = [];
  for (const name of [...names].sort()) {
    const ids = perName.get(name) ?? [];
    if (ids.length !== 1) {
      problems.push(`machine ${name} has ${ids.length} live devices${ids.length ? ` (${ids.join(", ")})` : ""}`);
    }
  }
  for (const [hostname, ids] of perName) {
    if (!names.has(hostname)) problems.push(`device(s) ${ids.join(", ")} (${hostname}) belong to no machine`);
  }
  return problems.length
    ? problems.slice(0, 10).join("; ") + (problems.length > 10 ? `; … ${problems.length - 10} more` : "")
    : undefined;
}

/** No live device of the pool runs the old machine type any more. */
export function oldDevicesProblem(
  devices: readonly DeviceView[],
  technicalId: string,
  pool: string,
  oldPlan: string,
): string | undefined {
  const old = liveDevices(devices).filter((d) =>
    deviceOfShoots(new Set([technicalId]))(d) && d.hostname.startsWith(`${technicalId}-${pool}-`) && d.plan === oldPlan
  );
  return old.length ? `${old.length} device(s) of pool ${pool} in ${technicalId} still run ${oldPlan}` : undefined;
}

/** No device of the shoots is left in a state other than deprovisioning/deleted. */
export function leftoverDevicesProblem(
  devices: readonly DeviceView[],
  namespaces: ReadonlySet<string>,
): string | undefined {
  const left = liveDevicesOfShoots(devices, namespaces);
  if (left.length === 0) return undefined;
  return `${left.length} device(s) left: ` +
    left.slice(0, 5).map((d) => `${d.hostname} (${d.id}, ${d.state})`).join(", ");
}

/**
 * No device of the shoots — live or gone — carries an SSH key its shoot did not ask for. `wanted` holds, per
 * technical ID, the key ids the shoot asked for (the project key of its Infrastructure; none with SSH access off). A
 * device of a shoot not in `wanted` may carry no key at all. Metal installs every project and organisation-member
 * key on a device created without keys and without `no_ssh_keys`: such keys are what this finds.
 */
export function strayKeysProblem(
  devices: readonly (DeviceView & { sshKeyIds: readonly string[] })[],
  wanted: ReadonlyMap<string, ReadonlySet<string>>,
  namespaces: ReadonlySet<string>,
): string | undefined {
  const problems: string[] = [];
  for (const d of devicesOfShoots(devices, namespaces)) {
    const shoot = d.tags.find((t) => t.startsWith(CLUSTER_TAG))!.slice(CLUSTER_TAG.length);
    const allowed = wanted.get(shoot) ?? new Set<string>();
    const stray = d.sshKeyIds.filter((k) => !allowed.has(k));
    if (stray.length) problems.push(`${d.hostname} (${d.id}) carries ${stray.join(", ")}`);
  }
  if (problems.length === 0) return undefined;
  return `${problems.length} device(s) with SSH keys their shoot did not ask for: ` + problems.slice(0, 5).join("; ") +
    (problems.length > 5 ? `; … ${problems.length - 5} more` : "");
}

/** The objects of `before` gone or re-created (another uid) in `after`. */
export function replacedObjectsProblem(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string | undefined {
  const problems: string[] = [];
  for (const [key, uid] of before) {
    const now = after.get(key);
    if (now === undefined) problems.push(`${key} was deleted`);
    else if (now !== uid) problems.push(`${key} was re-created (uid ${uid} → ${now})`);
  }
  return problems.length
    ? problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; … ${problems.length - 5} more` : "")
    : undefined;
}

/** Device IDs of `after` not in `before` (created) and of `before` not in `after` (deleted). */
export function deviceChanges(
  before: readonly string[],
  after: readonly string[],
): { created: string[]; deleted: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { created: after.filter((id) => !b.has(id)), deleted: before.filter((id) => !a.has(id)) };
}
