/**
 * What the demo prints: what is simulated, where to connect, kubectl commands to try while it serves, and one line
 * per scenario report (the output format the demo's users and its tests read). Pure.
 */
import type { ShootObjects } from "../sim/gardenlet/mod.ts";
import { poolShapes } from "../sim/gardenlet/mod.ts";
import type {
  CreateReport,
  DeleteReport,
  HibernationReport,
  MigrationReport,
  RollingUpdatePlan,
  RollingUpdateReport,
  SteadyStateReport,
} from "./scenario.ts";

/** Printed once at start. */
export const NOTES: readonly string[] = [
  "Ours: the extension (Infrastructure, Worker, heartbeat, webhook server) and one machine controller per shoot, run " +
  "from the sidecar our webhook injects into gardenlet's machine-controller-manager, with the Equinix Metal driver, " +
  "talking to the Metal API simulator over HTTP.",
  "Simulated around them (not part of the product): gardenlet's shoot flow (its control plane through the seed's " +
  "admission webhooks), MCM's MachineDeployment/MachineSet " +
  "controllers, and the nodes (kubelet, cloud-controller-manager).",
  "Note: MCM counts a machine as available as soon as it is Running; it does not wait for the MachineDeployment's " +
  "minReadySeconds (the Worker sets 500 s), and neither does the simulation.",
  "Note: when you change a Worker's spec with kubectl, the simulated gardenlet re-annotates it " +
  "gardener.cloud/operation=reconcile with a fresh gardener.cloud/timestamp, as gardenlet does after a Shoot change.",
];

/** kubectl commands to try against the first shoot (scale a pool, change a machine type, delete the Worker). */
export function kubectlHints(
  seedKubeconfig: string,
  shootKubeconfig: string | undefined,
  shoot: ShootObjects,
): string[] {
  const ns = shoot.technicalId;
  const name = shoot.shootName;
  const pools = poolShapes(shoot);
  const scaled = pools[pools.length - 1];
  const rolled = pools[0];
  const other = rolled.machineType === "m3.small.x86" ? "c3.small.x86" : "m3.small.x86";
  const k = `kubectl --kubeconfig ${seedKubeconfig} -n ${ns}`;
  const i = pools.length - 1;
  return [
    "Try (the view above follows every change):",
    `  ${k} get workers,machinedeployments,machines`,
    `  kubectl --kubeconfig ${shootKubeconfig ?? "<shoot kubeconfig>"} get nodes -o wide`,
    `  # scale pool ${scaled.name} to ${scaled.minimum + 1}..${scaled.maximum + 1} machines:`,
    `  ${k} patch worker ${name} --type json -p '[{"op":"replace","path":"/spec/pools/${i}/minimum","value":${
      scaled.minimum + 1
    }},{"op":"replace","path":"/spec/pools/${i}/maximum","value":${scaled.maximum + 1}}]'`,
    `  # rolling update of pool ${rolled.name} (new machine type):`,
    `  ${k} patch worker ${name} --type json -p '[{"op":"replace","path":"/spec/pools/0/machineType","value":"${other}"}]'`,
    "  # delete the Worker (gardenlet confirms deletions with this annotation first):",
    `  ${k} annotate worker ${name} confirmation.gardener.cloud/deletion=true && ${k} delete worker ${name}`,
    "Press Ctrl-C to stop.",
  ];
}

/** What the start-up lines name. */
export interface StartupFacts {
  seedKubeconfig: string;
  /** The garden's kubeconfig (`kubectl get shoots -A`), if the landscape has a garden. */
  gardenKubeconfig?: string;
  shootKubeconfigs: readonly string[];
  /** Directory of the kubeconfigs. */
  dir: string;
  metalUrl: string;
  metalProjectId: string;
  provisioningSeconds: number;
  randomSeed: number;
  /** The hardware reservations asked for (`--hardware-reservation`), with the ids a Shoot can name. */
  hardwareReservations?: ReadonlyArray<{ id: string; plan: string; facility: string }>;
}

/** Where to connect (at most three shoot kubeconfigs by name), the Metal simulator, the seed, then the notes. */
export function startupLines(f: StartupFacts): string[] {
  const lines = [`kubeconfig: ${f.seedKubeconfig}`];
  if (f.gardenKubeconfig) lines.push(`garden kubeconfig: ${f.gardenKubeconfig} (kubectl get shoots -A)`);
  for (const k of f.shootKubeconfigs.slice(0, 3)) lines.push(`shoot kubeconfig: ${k}`);
  if (f.shootKubeconfigs.length > 3) {
    lines.push(`… and ${f.shootKubeconfigs.length - 3} more shoot kubeconfigs in ${f.dir}`);
  }
  lines.push(
    `Metal API simulator: ${f.metalUrl} (project ${f.metalProjectId}; devices take ${f.provisioningSeconds} s ` +
      `to provision) · random seed ${f.randomSeed}`,
  );
  for (const r of f.hardwareReservations ?? []) {
    lines.push(`hardware reservation ${r.id}: ${r.plan} in ${r.facility} (for a pool's reservationIDs)`);
  }
  return [...lines, ...NOTES];
}

/** Which components run and how. */
export function runningLine(machineControllers: number, components: "in-process" | "subprocess"): string {
  const how = components === "subprocess" ? "as subprocesses" : "in-process";
  return `running: extension and ${machineControllers} machine controller(s) ${how}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** The create phase's outcome. */
export function createdLine(r: CreateReport): string {
  return `created: all ${r.machines} machines Running after ${seconds(r.milestones.allRunningMs)} s, ` +
    `Workers ready after ${seconds(r.milestones.workersReadyMs)} s; exactly one device per machine`;
}

/** The hibernation phase's outcome. */
export function hibernatedLine(r: HibernationReport): string {
  return `hibernated: ${r.asleep.machines} machines, ${r.asleep.devices} devices, ${r.asleep.ccmReplicas} CCM ` +
    `replicas; woken up: all ${r.awake} machines Running after ${seconds(r.durationMs)} s`;
}

/** The migration phase's outcome. */
export function migratedLine(r: MigrationReport): string {
  return `migrated: control plane migrated and restored in ${seconds(r.durationMs)} s; all ${r.restored} machines ` +
    `Running again from the machine state (${r.machinesInState} recorded); the same ${r.devices.after} device(s) ` +
    `(${r.devices.created} created, ${r.devices.deleted} deleted); ${r.shootObjectsKept} shoot object(s) kept`;
}

/** The Shoots' conditions after the create phase (one line per shoot, at most three). */
export function shootConditionLines(r: Pick<CreateReport, "shootConditions">): string[] {
  const entries = Object.entries(r.shootConditions ?? {});
  const lines = entries.slice(0, 3).map(([id, conds]) => `shoot ${id}: ${conds.join(", ")}`);
  if (entries.length > 3) lines.push(`… and ${entries.length - 3} more shoots with the same conditions`);
  return lines;
}

/** The rolling update about to start. */
export function rollingUpdateLine(plan: RollingUpdatePlan): string {
  const first = plan.changes[0];
  if (!first) return "rolling update: skipped (no CloudProfile offers another machine type of the pool's architecture)";
  return `rolling update: pool ${first.pool} ${first.from} → ${first.to}` +
    (plan.changes.length > 1 ? ` in each of the ${plan.changes.length} shoots` : ` (${plan.machines} machine(s))`);
}

/** The rolling update's outcome. */
export function rolledLine(r: RollingUpdateReport): string {
  return `rolled: ${r.machines} machine(s) replaced in ${seconds(r.durationMs)} s`;
}

/** The deletion's outcome. */
export function deletedLine(r: DeleteReport): string {
  return `deleted: every shoot gone after ${seconds(r.durationMs)} s; no device left; ` +
    `none of the ${r.devicesKeyChecked} device(s) of the run carried an SSH key its shoot did not ask for`;
}

/** What the deletion phase checked beyond the devices (`leftoverObjectsProblem`). */
export const NOTHING_LEFT_LINE = "left after the deletion: nothing in the seed, the garden or the shoots";

/** The steady state's outcome: lease writes, other writes (by resource, if any) and Metal API calls. */
export function steadyStateLine(r: SteadyStateReport): string {
  const other = Object.entries(r.writesByResource).map(([k, n]) => `${k} ${n}`).join(", ");
  return `steady state: ${(r.windowMs / 60_000).toFixed(1)} min without changes: ${r.leaseWrites} lease writes, ` +
    `${r.otherWrites} other writes${other ? ` (${other})` : ""}, ${r.metalCalls} Metal API calls`;
}
