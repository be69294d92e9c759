/**
 * The scenario's phases, each driven through the gardenlet simulation and measured with counter snapshots:
 * create (every shoot up to a ready Worker and all machines Running, then the duplicate check), a rolling update
 * (one pool per shoot changes its machine type; done when the Worker is ready, every machine Running and no device
 * of the old type left), and deletion (every shoot gone, then no live device left).
 */
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import {
  alternativeMachineType,
  clusterWithPoolMachineType,
  poolShapes,
  type ShootObjects,
  withPoolMachineType,
} from "../sim/gardenlet/mod.ts";
import type { Landscape } from "./landscape.ts";
import type { SeedObserver } from "./observer.ts";
import {
  allRunningProblem,
  duplicateDevicesProblem,
  leftoverDevicesProblem,
  oldDevicesProblem,
} from "./scenario_checks.ts";
import { type CounterSnapshot, type PhaseReport, phaseReport } from "./summary.ts";

/** What the phases need. */
export interface ScenarioContext {
  landscape: Landscape;
  observer: SeedObserver;
  shoots: ShootObjects[];
  clock: Clock;
  log: Logger;
  /** A permanent output line. */
  line(text: string): void;
  /** Sets the phase shown by the progress view. */
  setPhase(name: string): void;
  counters(): CounterSnapshot;
  /** Limit of each wait (default gardenlet's 10 minutes). */
  timeoutMs: number;
  /** How many shoots go through the flow at once. */
  parallelShoots: number;
  signal?: AbortSignal;
}

/** Milestones of the create phase, relative to its start. */
export interface CreateMilestones {
  allRunningMs: number;
  infrastructuresReadyMs: number;
  workersReadyMs: number;
}

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

/** Creates every shoot; resolves once all Workers are ready and all machines Running. */
export async function createPhase(
  ctx: ScenarioContext,
): Promise<{ report: PhaseReport; milestones: CreateMilestones }> {
  ctx.setPhase("creating");
  const before = ctx.counters();
  const start = before.at;
  let runningAt = 0;
  const running = ctx.observer.waitUntil(() => allRunning(ctx), "all machines Running", ctx.timeoutMs, ctx.signal)
    .then(() => (runningAt = ctx.clock.now()));
  running.catch(() => {}); // awaited below; a rejection before that must not be reported as unhandled
  let infraReady = 0;
  let workersReady = 0;
  await parallel(ctx.shoots, ctx.parallelShoots, async (shoot) => {
    const created = await ctx.landscape.gardenlet.createShoot(shoot, ctx.signal);
    infraReady = Math.max(infraReady, created.infrastructureReadyAt);
    workersReady = Math.max(workersReady, created.workerReadyAt);
  });
  await running;
  ctx.landscape.devices.invalidate();
  const duplicates = duplicateDevicesProblem(
    ctx.observer.machines.list(),
    ctx.landscape.metal.devices(),
    namespaces(ctx),
  );
  if (duplicates) throw new Error(`after the create phase: ${duplicates}`);
  const report = phaseReport("create", before, ctx.counters(), machineCount(ctx));
  ctx.line(
    `created: all ${report.machines} machines Running after ${((runningAt - start) / 1000).toFixed(1)} s, ` +
      `Workers ready after ${((workersReady - start) / 1000).toFixed(1)} s; exactly one device per machine`,
  );
  return {
    report,
    milestones: {
      allRunningMs: runningAt - start,
      infrastructuresReadyMs: infraReady - start,
      workersReadyMs: workersReady - start,
    },
  };
}

/** Changes the machine type of each shoot's first pool and waits for the rollout. */
export async function rollingUpdatePhase(ctx: ScenarioContext): Promise<PhaseReport> {
  ctx.setPhase("rolling update");
  const before = ctx.counters();
  let replaced = 0;
  const changes = ctx.shoots.map((shoot) => {
    const pool = poolShapes(shoot)[0];
    const next = alternativeMachineType(shoot.cluster, pool.machineType);
    if (!next) {
      throw new Error(`the CloudProfile of ${shoot.technicalId} offers no other machine type than ${pool.machineType}`);
    }
    return { shoot, pool, next };
  });
  const md = ctx.observer.deployments.list();
  for (const { shoot, pool } of changes) {
    replaced += md.filter((d) =>
      d.metadata.namespace === shoot.technicalId && d.metadata.labels?.["worker.gardener.cloud/pool"] === pool.name
    ).reduce((n, d) => n + (d.spec?.replicas ?? 0), 0);
  }
  const first = changes[0];
  ctx.line(
    `rolling update: pool ${first.pool.name} ${first.pool.machineType} → ${first.next}` +
      (changes.length > 1 ? ` in each of the ${changes.length} shoots` : ` (${replaced} machine(s))`),
  );
  await parallel(changes, ctx.parallelShoots, async ({ shoot, pool, next }) => {
    await ctx.landscape.gardenlet.changeWorker(shoot, {
      worker: (w) => withPoolMachineType(w, pool.name, next),
      cluster: (c) => clusterWithPoolMachineType(c, pool.name, next),
    }, ctx.signal);
    shoot.worker = withPoolMachineType(shoot.worker, pool.name, next);
    shoot.cluster = clusterWithPoolMachineType(shoot.cluster, pool.name, next);
  });
  await ctx.observer.waitUntil(
    () => {
      const devices = ctx.landscape.devices.all();
      return allRunning(ctx) ??
        changes.map(({ shoot, pool }) => oldDevicesProblem(devices, shoot.technicalId, pool.name, pool.machineType))
          .find((p) => p !== undefined);
    },
    "the rolled pool to run only the new machine type",
    ctx.timeoutMs,
    ctx.signal,
  );
  const report = phaseReport("rolling update", before, ctx.counters(), replaced);
  ctx.line(`rolled: ${replaced} machine(s) replaced in ${(report.durationMs / 1000).toFixed(1)} s`);
  return report;
}

/** Deletes every shoot in gardenlet's order and checks that no device is left. */
export async function deletePhase(ctx: ScenarioContext): Promise<PhaseReport> {
  ctx.setPhase("deleting");
  const before = ctx.counters();
  const machines = machineCount(ctx);
  await parallel(ctx.shoots, ctx.parallelShoots, (shoot) => ctx.landscape.gardenlet.deleteShoot(shoot, ctx.signal));
  ctx.landscape.devices.invalidate();
  const left = leftoverDevicesProblem(ctx.landscape.metal.devices(), namespaces(ctx));
  if (left) throw new Error(`after the deletion: ${left}`);
  const report = phaseReport("delete", before, ctx.counters(), machines);
  ctx.line(`deleted: every shoot gone after ${(report.durationMs / 1000).toFixed(1)} s; no device left`);
  return report;
}

/** Time the steady-state phase waits before its window opens. */
export const STEADY_STATE_SETTLE_MS = 30_000;

/**
 * Lets `ms` of the clock pass with nothing changing and reports what was written meanwhile: a settled landscape
 * writes nothing but the leader-election and heartbeat leases.
 */
export async function steadyStatePhase(ctx: ScenarioContext, ms: number): Promise<PhaseReport> {
  ctx.setPhase("steady state");
  // Writes queued before the window (the events of the last reconciles are sent in the background) must not count.
  await ctx.clock.sleep(STEADY_STATE_SETTLE_MS, ctx.signal);
  const before = ctx.counters();
  await ctx.clock.sleep(ms, ctx.signal);
  const report = phaseReport("steady state", before, ctx.counters(), machineCount(ctx));
  const other = Object.entries(report.writesByResource).map(([k, n]) => `${k} ${n}`).join(", ");
  ctx.line(
    `steady state: ${(ms / 60_000).toFixed(1)} min without changes: ${report.leaseWrites} lease writes, ` +
      `${report.apiWrites - report.leaseWrites} other writes${
        other ? ` (${other})` : ""
      }, ${report.metalCalls} Metal API calls`,
  );
  return report;
}
