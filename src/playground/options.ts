/**
 * The playground's knobs, validated at the boundary with zod (errors name the option): scenario size (shoots, pools,
 * machines per pool), device timings, fault injection, how components run, and how progress is shown.
 */
import { z } from "zod";
import type { Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import type { DeviceTimings } from "../sim/metal/mod.ts";
import { type FaultOptions, FaultOptionsSchema } from "./faults.ts";
import type { StatusMode } from "./output.ts";

/** Default time a device takes from create to active in the playground (the simulator's default is 35 s). */
export const DEFAULT_PROVISIONING_SECONDS = 5;

/** How to run the playground. */
export interface PlaygroundOptions {
  /** Seed API server port (0: any free port). */
  port?: number;
  /** Where to write the seed kubeconfig (default: `kubeconfig` in a new temporary directory). */
  kubeconfigOut?: string;
  /** Run the scenario once (create, rolling update, delete) and return its summary instead of serving. */
  once?: boolean;
  /** Ends the serving phase and stops everything (default: the first SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** CRD directory with `gardener/` and `machine/` (default: the vendored copies in crds/). */
  crdsDir?: string;
  /** Directory of the example shoot's manifests (default: example/ of the project). */
  examplesDir?: string;
  /** Receives the human-readable lines (default: stdout). */
  print?: (line: string) => void;
  /** Live status: redrawn block (tty), lines on changes (plain) or none (default: tty on a terminal, else plain). */
  status?: StatusMode;
  log?: Logger;
  /** Time source of everything (tests pass a FakeClock and drive it). */
  clock?: Clock;
  /** Number of shoots (default 1). */
  shoots?: number;
  /** Generated pools per shoot instead of the example's (with `machinesPerPool`). */
  pools?: number;
  /** Machines per generated pool (minimum = maximum). */
  machinesPerPool?: number;
  /** Seconds from create to active (queued 20 %, provisioning 80 %); deprovisioning stays visible a third of it. */
  provisioningSeconds?: number;
  /** Exact simulator timings (win over `provisioningSeconds`). */
  timings?: Partial<DeviceTimings>;
  /** The rolling-update phase of `once` (default true). */
  rollingUpdate?: boolean;
  /** In `once`, a quiet period of this length after the create phase, reported as phase "steady state". */
  steadyStateMs?: number;
  faults?: FaultOptions;
  /** Seed of every random decision (ids, faults, restarts; default: random, printed). */
  randomSeed?: number;
  /** Our components in this process (default) or as CLI subprocesses (benchmarks: CPU/RSS per component). */
  components?: "in-process" | "subprocess";
  /** Limit of each wait of the scenario (default 10 minutes, gardenlet's). */
  phaseTimeoutMs?: number;
  /** Node simulation poll period (default 1 s). */
  nodePollMs?: number;
  /** Watch events the API servers keep (default 10,000; large runs need more). */
  watchHistory?: number;
  /** Shoots going through the flow at once (default 20). */
  parallelShoots?: number;
  /** Time our components get for in-flight work when stopping (default 10 s). */
  gracefulShutdownMs?: number;
}

const count = (min: number) => z.number().int().min(min);

const OptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).optional(),
  shoots: count(1).max(1000).optional(),
  pools: count(1).max(100).optional(),
  machinesPerPool: count(0).max(10_000).optional(),
  provisioningSeconds: z.number().min(0).max(3600).optional(),
  phaseTimeoutMs: count(1).optional(),
  steadyStateMs: count(0).optional(),
  nodePollMs: count(1).optional(),
  watchHistory: count(100).optional(),
  parallelShoots: count(1).optional(),
  gracefulShutdownMs: count(0).optional(),
  randomSeed: z.number().int().min(0).max(0xffffffff).optional(),
  components: z.enum(["in-process", "subprocess"]).optional(),
  status: z.enum(["tty", "plain", "quiet"]).optional(),
  faults: FaultOptionsSchema.optional(),
  timings: z.record(z.string(), z.number().min(0)).optional(),
}).loose();

/** Throws naming the first invalid option. */
export function validateOptions(opts: PlaygroundOptions): void {
  const parsed = OptionsSchema.safeParse(opts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`playground option ${issue.path.join(".") || "<root>"}: ${issue.message}`);
  }
  if ((opts.pools === undefined) !== (opts.machinesPerPool === undefined)) {
    throw new Error("playground options pools and machinesPerPool: give both or neither");
  }
}

/** The simulator timings for a provisioning time. */
export function timingsFor(seconds: number): Partial<DeviceTimings> {
  const ms = Math.round(seconds * 1000);
  const queuedMs = Math.round(ms * 0.2);
  return { queuedMs, provisioningMs: ms - queuedMs, deprovisionVisibleMs: Math.round(ms / 3) };
}
