/**
 * The scenario's phases, each driven through the gardenlet simulation and measured with counter snapshots:
 * create (every shoot up to a ready Worker and all machines Running, then the duplicate check), a rolling update
 * (one pool per shoot changes its machine type; done when the Worker is ready, every machine Running and no device
 * of the old type left), hibernation and wake-up, a control-plane migration (migrate and restore: the same devices
 * before and after), the loss of a device (deleted in Metal out of band; its machine replaced), deletion (every shoot
 * gone, then no live device left) and a steady state (time passes with nothing changing). Each returns its typed report; a failed check rejects naming the problem.
 */
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import {
  alternativeMachineType,
  clusterWithPoolMachineType,
  poolShapes,
  recordedMachines,
  type ShootObjects,
  withPoolMachineType,
} from "../sim/gardenlet/mod.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import type { SeedObserver } from "./observer.ts";
import {
  allRunningProblem,
  deviceChanges,
  devicesOfShoots,
  duplicateDevicesProblem,
  leftoverDevicesProblem,
  liveDevices,
  liveDevicesOfShoots,
  oldDevicesProblem,
  replacedObjectsProblem,
  strayKeysProblem,
} from "./scenario_checks.ts";
import type { Simulators } from "./simulators.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { AppsV1, BuiltinResources, CoreGardenerV1beta1, CoreV1 } from "../k8s/api/resources.ts";
import { type CounterSnapshot, type PhaseReport, phaseReport } from "./summary.ts";
import { machinePhase } from "./progress.ts";
import { MetalClient } from "../metal/client.ts";
import { MetalNotFoundError } from "../metal/errors.ts";

/** What the phases need. */
export interface ScenarioContext {
  simulators: Simulators;
  observer: SeedObserver;
  shoots: ShootObjects[];
  clock: Clock;
  log: Logger;
  counters(): CounterSnapshot;
  /** Limit of each wait (default gardenlet's 10 minutes). */
  timeoutMs: number;
  /** How many shoots go through the flow at once. */
  parallelShoots: number;
  signal?: AbortSignal;
  /** Per technical ID, the SSH key ids the shoot asked for (its Infrastructure's key), recorded by the create phase. */
  wantedKeys: Map<string, Set<string>>;
}

/** Milestones of the create phase, relative to its start. */
export interface CreateMilestones {
  allRunningMs: number;
  infrastructuresReadyMs: number;
  workersReadyMs: number;
}

/** The create phase: its counters, milestones and the live devices of the shoots after the duplicate check. */
export interface CreateReport extends PhaseReport {
  milestones: CreateMilestones;
  /** Live devices of the shoots; equal to `machines` (exactly one device per machine, none without a machine). */
  liveDevices: number;
  /** Per shoot (technical ID), its Shoot's conditions in the garden (`Type=Status`), all True once created. */
  shootConditions?: Record<string, string[]>;
}

/** One shoot's pool changing its machine type. */
export interface PoolChange {
  shoot: ShootObjects;
  pool: string;
  from: string;
  to: string;
}

/** What the rolling update changes (one pool per shoot) and how many machines that replaces. */
export interface RollingUpdatePlan {
  changes: PoolChange[];
  /** Machines of the changed pools (Σ MachineDeployment replicas): the machines to replace. */
  machines: number;
}

/** The rolling-update phase (`machines`: the replaced ones). */
export interface RollingUpdateReport extends PhaseReport {
  plan: RollingUpdatePlan;
}

/** The deletion phase (`machines`: those deleted). */
export interface DeleteReport extends PhaseReport {
  /** Live devices of the shoots left after the deletion (the check requires 0). */
  liveDevices: number;
  /** Devices the shoots had during the run (gone ones included), each checked for keys its shoot did not ask for. */
  devicesKeyChecked: number;
}

/** The steady-state phase: what was written and called while nothing changed. */
export interface SteadyStateReport extends PhaseReport {
  /** The quiet window asked for. */
  windowMs: number;
  /** Writes other than the leases' (their resources: `writesByResource`). */
  otherWrites: number;
}

/** The label of the objects the resource manager applied in a shoot. */
const MANAGED_BY_GARDENER = "resources.gardener.cloud/managed-by=gardener";

/** Runs `fn` for every item, at most `n` at a time; rejects with the first error after all settled. */
export async function parallel<T>(items: readonly T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  }));
  if (errors.length) throw errors[0];
}

function namespaces(ctx: ScenarioContext): Set<string> {
  return new Set(ctx.shoots.map((s) => s.technicalId));
}

function machineCount(ctx: ScenarioContext): number {
  const ns = namespaces(ctx);
  return ctx.observer.machines.list().filter((m) => ns.has(m.metadata.namespace ?? "")).length;
}

function allRunning(ctx: ScenarioContext): string | undefined {
  return allRunningProblem(ctx.observer.machines.list(), ctx.observer.deployments.list(), namespaces(ctx));
}

/** The SSH key an Infrastructure reports (`status.providerStatus.sshKeyID`): none when empty or absent. */
function sshKeyIdsOf(infrastructure: { status?: unknown } | undefined): string[] {
  const status = infrastructure?.status as { providerStatus?: { sshKeyID?: unknown } } | undefined;
  const id = status?.providerStatus?.sshKeyID;
  return typeof id === "string" && id !== "" ? [id] : [];
}

/** Creates every shoot; resolves once all Workers are ready, all machines Running and each has exactly one device. */
export async function createPhase(ctx: ScenarioContext): Promise<CreateReport> {
  const before = ctx.counters();
  const start = before.at;
  let runningAt = 0;
  const running = ctx.observer.waitUntil(() => allRunning(ctx), "all machines Running", ctx.timeoutMs, ctx.signal)
    .then(() => (runningAt = ctx.clock.now()));
  running.catch(() => {}); // awaited below; a rejection before that must not be reported as unhandled
  let infraReady = 0;
  let workersReady = 0;
  await parallel(ctx.shoots, ctx.parallelShoots, async (shoot) => {
    const created = await ctx.simulators.gardenlet.createShoot(shoot, ctx.signal);
    infraReady = Math.max(infraReady, created.infrastructureReadyAt);
    workersReady = Math.max(workersReady, created.workerReadyAt);
    ctx.wantedKeys.set(shoot.technicalId, new Set(sshKeyIdsOf(ctx.simulators.gardenlet.infrastructure(shoot))));
  });
  await running;
  ctx.simulators.devices.invalidate();
  const devices = ctx.simulators.metal.devices();
  const problem = duplicateDevicesProblem(ctx.observer.machines.list(), devices, namespaces(ctx)) ??
    strayKeysProblem(devices, ctx.wantedKeys, namespaces(ctx));
  if (problem) throw new Error(`after the create phase: ${problem}`);
  const shootConditions = await shootConditionsAllTrue(ctx);
  return {
    ...phaseReport("create", before, ctx.counters(), machineCount(ctx)),
    milestones: {
      allRunningMs: runningAt - start,
      infrastructuresReadyMs: infraReady - start,
      workersReadyMs: workersReady - start,
    },
    liveDevices: liveDevicesOfShoots(devices, namespaces(ctx)).length,
    shootConditions,
  };
}

/**
 * Waits until gardenlet's care controller reports every condition of every Shoot True (the care pass runs on each
 * check; it writes only on change); throws with the conditions still not True after the phase timeout.
 */
export async function shootConditionsAllTrue(ctx: ScenarioContext): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await pollUntil(
    ctx,
    async () => {
      const notTrue: string[] = [];
      for (const shoot of ctx.shoots) {
        const conditions = await ctx.simulators.gardenlet.careNow(shoot) ?? [];
        out[shoot.technicalId] = conditions.map((c) => `${c.type}=${c.status}`);
        for (const c of conditions) {
          if (c.status !== "True") notTrue.push(`${shoot.technicalId}: ${c.type}: ${c.message}`);
        }
        if (!conditions.length) notTrue.push(`${shoot.technicalId}: no conditions`);
      }
      return notTrue.length ? notTrue.join("; ") : undefined;
    },
    "the Shoot conditions all True",
    ctx.timeoutMs,
  );
  return out;
}

/**
 * The rolling update's plan: each shoot's first pool moves to another machine type of its CloudProfile; a shoot whose
 * CloudProfile offers none (a user's `--shoot` with its own profile) is left out, so the plan may be empty.
 */
export function planRollingUpdate(ctx: ScenarioContext): RollingUpdatePlan {
  const changes = ctx.shoots.flatMap((shoot): PoolChange[] => {
    const pool = poolShapes(shoot)[0];
    const next = alternativeMachineType(shoot.cluster, pool.machineType);
    return next ? [{ shoot, pool: pool.name, from: pool.machineType, to: next }] : [];
  });
  const md = ctx.observer.deployments.list();
  let machines = 0;
  for (const { shoot, pool } of changes) {
    machines += md.filter((d) =>
      d.metadata.namespace === shoot.technicalId && d.metadata.labels?.["worker.gardener.cloud/pool"] === pool
    ).reduce((n, d) => n + (d.spec?.replicas ?? 0), 0);
  }
  return { changes, machines };
}

/** Changes the machine types as planned and waits for the rollout. */
export async function rollingUpdatePhase(ctx: ScenarioContext, plan: RollingUpdatePlan): Promise<RollingUpdateReport> {
  const before = ctx.counters();
  await parallel(plan.changes, ctx.parallelShoots, async ({ shoot, pool, to }) => {
    await ctx.simulators.gardenlet.changeWorker(shoot, {
      worker: (w) => withPoolMachineType(w, pool, to),
      cluster: (c) => clusterWithPoolMachineType(c, pool, to),
    }, ctx.signal);
    shoot.worker = withPoolMachineType(shoot.worker, pool, to);
    shoot.cluster = clusterWithPoolMachineType(shoot.cluster, pool, to);
  });
  await ctx.observer.waitUntil(
    () => {
      const devices = ctx.simulators.devices.all();
      return allRunning(ctx) ??
        plan.changes.map(({ shoot, pool, from }) => oldDevicesProblem(devices, shoot.technicalId, pool, from))
          .find((p) => p !== undefined);
    },
    "the rolled pool to run only the new machine type",
    ctx.timeoutMs,
    ctx.signal,
  );
  return { ...phaseReport("rolling update", before, ctx.counters(), plan.machines), plan };
}

/** The hibernation phase: what was asleep, and the Shoots' conditions once awake again. */
export interface HibernationReport extends PhaseReport {
  /** Machines, live devices and CCM replicas of the shoots while hibernated (all 0). */
  asleep: { machines: number; devices: number; ccmReplicas: number };
  /** Machines running after the wake-up. */
  awake: number;
  shootConditions: Record<string, string[]>;
}

/** The CCM's wanted replicas in every shoot namespace, summed. */
async function ccmReplicas(ctx: ScenarioContext): Promise<number> {
  let n = 0;
  for (const id of namespaces(ctx)) {
    const list = await ctx.simulators.seedClient.list(AppsV1.deployments, {
      namespace: id,
      fieldSelector: "metadata.name=cloud-controller-manager",
    });
    for (const d of list.items) n += (d as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
  }
  return n;
}

/**
 * Hibernates every shoot (the Shoot's `spec.hibernation.enabled`, as gardenlet runs it): waits until no machine,
 * no device and no CCM replica is left; then wakes them up and waits until every machine runs again and the Shoots'
 * conditions are all True.
 */
export async function hibernationPhase(ctx: ScenarioContext): Promise<HibernationReport> {
  const before = ctx.counters();
  const machines = machineCount(ctx);
  const gardenlet = ctx.simulators.gardenlet;
  await parallel(ctx.shoots, ctx.parallelShoots, (shoot) => gardenlet.setHibernation(shoot, true, ctx.signal));
  await ctx.observer.waitUntil(
    () => {
      const left = machineCount(ctx);
      return left ? `${left} machine(s) left` : undefined;
    },
    "no machine left while hibernated",
    ctx.timeoutMs,
    ctx.signal,
  );
  // The CCM goes to 0 through the seed MR: its resource manager applies that a moment after the ControlPlane is done.
  await pollUntil(
    ctx,
    async () => {
      const n = await ccmReplicas(ctx);
      return n ? `${n} CCM replica(s) left` : undefined;
    },
    "the CCM at 0 replicas while hibernated",
    ctx.timeoutMs,
  );
  ctx.simulators.devices.invalidate();
  const asleep = {
    machines: machineCount(ctx),
    devices: liveDevicesOfShoots(ctx.simulators.metal.devices(), namespaces(ctx)).length,
    ccmReplicas: await ccmReplicas(ctx),
  };
  if (asleep.devices || asleep.ccmReplicas) {
    throw new Error(`hibernated: ${asleep.devices} device(s) and ${asleep.ccmReplicas} CCM replica(s) left`);
  }
  await parallel(ctx.shoots, ctx.parallelShoots, (shoot) => gardenlet.setHibernation(shoot, false, ctx.signal));
  await ctx.observer.waitUntil(
    () => allRunning(ctx),
    "all machines Running after the wake-up",
    ctx.timeoutMs,
    ctx.signal,
  );
  const shootConditions = await shootConditionsAllTrue(ctx);
  return {
    ...phaseReport("hibernation", before, ctx.counters(), machines),
    asleep,
    awake: machineCount(ctx),
    shootConditions,
  };
}

/** The migration phase (`machines`: those of the shoots before it, all Running again after the restore). */
export interface MigrationReport extends PhaseReport {
  /** Machines the persisted machine states held (one per machine: the Worker restore re-created each). */
  machinesInState: number;
  /** Machines Running after the restore. */
  restored: number;
  /** Device IDs of the shoots (live ones before and after; created/deleted: over the phase, gone ones included). */
  devices: { before: number; after: number; created: number; deleted: number };
  /** Objects our ManagedResources applied in the shoots, each still there with its uid after the restore. */
  shootObjectsKept: number;
  shootConditions: Record<string, string[]>;
}

/** The objects applied in a shoot cluster by the resource manager (`resources.gardener.cloud/managed-by=gardener`). */
async function managedShootObjects(ctx: ScenarioContext, technicalId: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const cluster = ctx.simulators.shoots.get(technicalId);
  if (!cluster) return out;
  const client = new KubeClient(cluster.api.connection());
  try {
    for (const res of BuiltinResources) {
      if (res.kind === "Event" || res.kind === "Namespace") continue;
      const items = (await client.list(res, { labelSelector: MANAGED_BY_GARDENER })).items;
      out.push(...items.map((o) => ({ ...o, kind: res.kind })));
    }
  } finally {
    client.close();
  }
  return out;
}

/** The uid of every object our ManagedResources applied in the shoots, by `<kind> <namespace>/<name> in shoot <id>`. */
async function allManagedShootObjects(ctx: ScenarioContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of namespaces(ctx)) {
    for (const o of await managedShootObjects(ctx, id)) {
      const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : "";
      out.set(`${o.kind} ${ns}${o.metadata.name} in shoot ${id}`, o.metadata.uid ?? "");
    }
  }
  return out;
}

/**
 * Migrates every shoot's control plane and restores it (gardenlet's migrate and restore flows; one seed, so to the
 * same seed: the namespace is torn down and rebuilt). Rejects unless the persisted machine states held every machine,
 * every machine runs again, the shoots have exactly the devices they had (none created, none deleted), the objects
 * our ManagedResources applied in the shoots were kept (same uid) and every Shoot condition is True.
 */
export async function migrationPhase(ctx: ScenarioContext): Promise<MigrationReport> {
  const before = ctx.counters();
  const machines = machineCount(ctx);
  const metal = ctx.simulators.metal;
  ctx.simulators.devices.invalidate();
  const liveBefore = liveDevicesOfShoots(metal.devices(), namespaces(ctx)).map((d) => d.id);
  const allBefore = devicesOfShoots(metal.devices({ includeDeleted: true }), namespaces(ctx)).map((d) => d.id);
  const objectsBefore = await allManagedShootObjects(ctx);
  const gardenlet = ctx.simulators.gardenlet;
  let machinesInState = 0;
  await parallel(ctx.shoots, ctx.parallelShoots, async (shoot) => {
    const state = await gardenlet.migrateShoot(shoot, ctx.signal);
    machinesInState += recordedMachines(state.machines);
    await gardenlet.restoreShoot(shoot, state, ctx.signal);
  });
  if (machinesInState !== machines) {
    throw new Error(
      `migration: the persisted machine states held ${machinesInState} machine(s), the shoots had ${machines}`,
    );
  }
  await ctx.observer.waitUntil(
    () => allRunning(ctx),
    "all machines Running after the restore",
    ctx.timeoutMs,
    ctx.signal,
  );
  ctx.simulators.devices.invalidate();
  const liveAfter = liveDevicesOfShoots(metal.devices(), namespaces(ctx)).map((d) => d.id);
  const allAfter = devicesOfShoots(metal.devices({ includeDeleted: true }), namespaces(ctx)).map((d) => d.id);
  const created = deviceChanges(allBefore, allAfter).created;
  const deleted = deviceChanges(liveBefore, liveAfter).deleted;
  const problem = (created.length ? `device(s) created: ${created.join(", ")}` : undefined) ??
    (deleted.length ? `device(s) deleted: ${deleted.join(", ")}` : undefined) ??
    duplicateDevicesProblem(ctx.observer.machines.list(), metal.devices(), namespaces(ctx)) ??
    replacedObjectsProblem(objectsBefore, await allManagedShootObjects(ctx));
  if (problem) throw new Error(`after the migration: ${problem}`);
  const shootConditions = await shootConditionsAllTrue(ctx);
  return {
    ...phaseReport("migration", before, ctx.counters(), machines),
    machinesInState,
    restored: machineCount(ctx),
    devices: { before: liveBefore.length, after: liveAfter.length, created: created.length, deleted: deleted.length },
    shootObjectsKept: objectsBefore.size,
    shootConditions,
  };
}

/** One machine whose device was deleted out of band. */
export interface LostDevice {
  shoot: string;
  machine: string;
  device: string;
}

/** The device-loss phase (`machines`: those whose device was lost, each replaced). */
export interface DeviceLossReport extends PhaseReport {
  lost: LostDevice[];
  /** Relative to the phase start: every lost device's Node deleted (by the CCM), every machine Running again. */
  milestones: { nodesGoneMs: number; replacedMs: number };
  /** Devices created over the phase (one per lost device). */
  devicesCreated: number;
  shootConditions: Record<string, string[]>;
}

/** The names of the Nodes of a shoot cluster. */
async function nodeNames(ctx: ScenarioContext, technicalId: string): Promise<Set<string>> {
  const cluster = ctx.simulators.shoots.get(technicalId);
  if (!cluster) return new Set();
  const client = new KubeClient(cluster.api.connection());
  try {
    return new Set((await client.list(CoreV1.nodes)).items.map((n) => n.metadata.name!));
  } finally {
    client.close();
  }
}

/** Polls `problem` every second of the clock until it gives undefined; rejects with its last text at the deadline. */
async function pollUntil(
  ctx: ScenarioContext,
  problem: () => Promise<string | undefined>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = ctx.clock.now() + timeoutMs;
  for (;;) {
    const p = await problem();
    if (p === undefined) return;
    if (ctx.clock.now() > deadline) throw new Error(`timed out waiting for ${what}: ${p}`);
    await ctx.clock.sleep(1000, ctx.signal);
  }
}

/**
 * Each shoot loses one machine's device: an operator deletes it in Metal (or its hardware dies). The kubelet falls
 * silent, its Node goes not Ready after the grace period and the CCM deletes it; the machine controller deletes the
 * machine of a deleted Node and the MachineSet replaces it. Rejects unless each lost device's Node is deleted,
 * the lost machines are gone, every machine runs again with exactly one device each, exactly one device was created
 * per lost one, and every Shoot condition is True.
 */
export async function deviceLossPhase(ctx: ScenarioContext): Promise<DeviceLossReport> {
  const before = ctx.counters();
  const sims = ctx.simulators;
  sims.devices.invalidate();
  const allBefore = devicesOfShoots(sims.metal.devices({ includeDeleted: true }), namespaces(ctx)).map((d) => d.id);
  const live = liveDevicesOfShoots(sims.metal.devices(), namespaces(ctx));
  const lost = ctx.shoots.map((shoot): LostDevice => {
    const machine = ctx.observer.machines.list()
      .filter((m) => m.metadata.namespace === shoot.technicalId && machinePhase(m) === "Running")
      .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
    const device = machine && live.find((d) => d.hostname === machine.metadata.name);
    if (!device) throw new Error(`device loss: shoot ${shoot.technicalId} has no Running machine with a device`);
    return { shoot: shoot.technicalId, machine: machine.metadata.name!, device: device.id };
  });
  const metal = new MetalClient({ token: sims.metal.defaultToken, baseUrl: sims.metalUrl });
  // As an operator would: asked again after a failure (a fault, a lost answer) until Metal is removing the device.
  for (const l of lost) {
    await pollUntil(
      ctx,
      async () => {
        if (!liveDevices(sims.metal.devices()).some((d) => d.id === l.device)) return undefined;
        try {
          await metal.devices.delete(l.device);
          return undefined;
        } catch (e) {
          return e instanceof MetalNotFoundError ? undefined : `DELETE failed: ${(e as Error).message}`;
        }
      },
      `the out-of-band deletion of device ${l.device}`,
      ctx.timeoutMs,
    );
  }
  await pollUntil(
    ctx,
    async () => {
      const left: string[] = [];
      for (const l of lost) if ((await nodeNames(ctx, l.shoot)).has(l.machine)) left.push(l.machine);
      return left.length ? `Node(s) ${left.join(", ")} still there` : undefined;
    },
    "the Nodes of the lost devices to be deleted",
    ctx.timeoutMs,
  );
  const nodesGoneAt = ctx.clock.now();
  const lostNames = new Set(lost.map((l) => l.machine));
  await ctx.observer.waitUntil(
    () => {
      const left = ctx.observer.machines.list().filter((m) => lostNames.has(m.metadata.name!));
      return left.length
        ? `lost machine(s) still there: ${left.map((m) => `${m.metadata.name} (${machinePhase(m)})`).join(", ")}`
        : allRunning(ctx);
    },
    "the lost machines replaced and every machine Running",
    ctx.timeoutMs,
    ctx.signal,
  );
  const replacedAt = ctx.clock.now();
  sims.devices.invalidate();
  const allAfter = devicesOfShoots(sims.metal.devices({ includeDeleted: true }), namespaces(ctx)).map((d) => d.id);
  const created = deviceChanges(allBefore, allAfter).created;
  const problem = duplicateDevicesProblem(ctx.observer.machines.list(), sims.metal.devices(), namespaces(ctx)) ??
    (created.length !== lost.length
      ? `${created.length} device(s) created for ${lost.length} lost: ${created.join(", ")}`
      : undefined);
  if (problem) throw new Error(`after the device loss: ${problem}`);
  const shootConditions = await shootConditionsAllTrue(ctx);
  return {
    ...phaseReport("device loss", before, ctx.counters(), lost.length),
    lost,
    milestones: { nodesGoneMs: nodesGoneAt - before.at, replacedMs: replacedAt - before.at },
    devicesCreated: created.length,
    shootConditions,
  };
}

/** Deletes every shoot in gardenlet's order and checks that no device is left. */
export async function deletePhase(ctx: ScenarioContext): Promise<DeleteReport> {
  const before = ctx.counters();
  const machines = machineCount(ctx);
  await parallel(ctx.shoots, ctx.parallelShoots, (shoot) => ctx.simulators.gardenlet.deleteShoot(shoot, ctx.signal));
  ctx.simulators.devices.invalidate();
  const devices = ctx.simulators.metal.devices();
  const left = leftoverDevicesProblem(devices, namespaces(ctx));
  if (left) throw new Error(`after the deletion: ${left}`);
  // Every device the shoots ever had, including those of replaced and deleted machines.
  const all = ctx.simulators.metal.devices({ includeDeleted: true });
  const stray = strayKeysProblem(all, ctx.wantedKeys, namespaces(ctx));
  if (stray) throw new Error(`after the deletion: ${stray}`);
  const leftover = await leftoverObjectsProblem(ctx);
  if (leftover) throw new Error(`after the deletion: ${leftover}`);
  return {
    ...phaseReport("delete", before, ctx.counters(), machines),
    liveDevices: liveDevicesOfShoots(devices, namespaces(ctx)).length,
    devicesKeyChecked: devicesOfShoots(all, namespaces(ctx)).length,
  };
}

/**
 * What a deletion left: the shoot namespace in the seed (with it everything of ours there), the Shoot in the garden,
 * or in a shoot cluster an object the resource manager applied (`resources.gardener.cloud/managed-by=gardener`).
 */
export async function leftoverObjectsProblem(ctx: ScenarioContext): Promise<string | undefined> {
  const sims = ctx.simulators;
  const ids = new Set(namespaces(ctx));
  const seedNs = (await sims.seedClient.list(CoreV1.namespaces)).items.filter((n) => ids.has(n.metadata.name ?? ""));
  if (seedNs.length) return `shoot namespace(s) left in the seed: ${seedNs.map((n) => n.metadata.name).join(", ")}`;
  const garden = new KubeClient(sims.garden.connection());
  try {
    const shoots = (await garden.list(CoreGardenerV1beta1.shoots)).items;
    if (shoots.length) return `Shoot(s) left in the garden: ${shoots.map((s) => s.metadata.name).join(", ")}`;
  } finally {
    garden.close();
  }
  for (const id of ids) {
    const [left] = await managedShootObjects(ctx, id);
    if (left) return `${left.kind} ${left.metadata.name} left in shoot ${id}`;
  }
  return undefined;
}

/** Time the steady-state phase waits before its window opens. */
export const STEADY_STATE_SETTLE_MS = 30_000;

/**
 * Lets `ms` of the clock pass with nothing changing and reports what was written meanwhile: a settled landscape
 * writes nothing but the leader-election and heartbeat leases.
 */
export async function steadyStatePhase(ctx: ScenarioContext, ms: number): Promise<SteadyStateReport> {
  // Writes queued before the window (the events of the last reconciles are sent in the background) must not count.
  await ctx.clock.sleep(STEADY_STATE_SETTLE_MS, ctx.signal);
  const before = ctx.counters();
  await ctx.clock.sleep(ms, ctx.signal);
  const report = phaseReport("steady state", before, ctx.counters(), machineCount(ctx));
  return { ...report, windowMs: ms, otherWrites: report.apiWrites - report.leaseWrites };
}
