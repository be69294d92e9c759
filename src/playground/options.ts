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
  /** Shoot manifests (`core.gardener.cloud/v1beta1`) to run instead of the example's shoot, one shoot each. */
  shootFiles?: string[];
  /** The CloudProfile manifest the shoot manifests are checked against (default: the example's). */
  cloudProfileFile?: string;
  /** Hardware reservations the Metal simulator's project gets for the run (besides its default ones). */
  hardwareReservations?: HardwareReservationRequest[];
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
  /** In `once`, hibernate every shoot and wake it up again after the rolling update (phase "hibernation"). */
  hibernate?: boolean;
  /** In `once`, migrate every shoot's control plane and restore it before the deletion (default true). */
  migrate?: boolean;
  /** In `once`, a quiet period of this length after the create phase, reported as phase "steady state". */
  steadyStateMs?: number;
  faults?: FaultOptions;
  /**
   * Our components run with their ServiceAccounts' tokens under the RBAC of the chart and of gardenlet (default
   * true); false runs them as the clusters' admin.
   */
  rbac?: boolean;
  /** Seed of every random decision (ids, faults, restarts; default: random, printed). */
  randomSeed?: number;
  /**
   * The extension's `--disable-webhooks` (webhook names or `*`): without the `controlplane` webhook no sidecar is
   * injected and the demo fails, saying so (default none: the machine controllers are the injected sidecars).
   */
  disableWebhooks?: string[];
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

/** Hardware reservations of one plan in a metro or facility (`--hardware-reservation plan:location[:count]`). */
export interface HardwareReservationRequest {
  plan: string;
  /** A metro (the reservations go to its first facility) or a facility code. */
  location: string;
  count: number;
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
  rbac: z.boolean().optional(),
  components: z.enum(["in-process", "subprocess"]).optional(),
  disableWebhooks: z.array(z.string().min(1)).optional(),
  status: z.enum(["tty", "plain", "quiet"]).optional(),
  faults: FaultOptionsSchema.optional(),
  timings: z.record(z.string(), z.number().min(0)).optional(),
  shootFiles: z.array(z.string().min(1)).min(1).optional(),
  cloudProfileFile: z.string().min(1).optional(),
  hardwareReservations: z.array(z.object({
    plan: z.string().min(1),
    location: z.string().min(1),
    count: count(1).max(1000),
  })).optional(),
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
  if (opts.shootFiles && (opts.shoots !== undefined || opts.pools !== undefined)) {
    throw new Error(
      "playground option shootFiles: each file is one shoot with its own pools; not with shoots or pools",
    );
  }
  if (opts.cloudProfileFile && !opts.shootFiles) {
    throw new Error("playground option cloudProfileFile: only with shootFiles");
  }
}

/** Parses `plan:metro|facility[:count]` (count default 1); throws saying what is expected. */
export function parseHardwareReservation(text: string): HardwareReservationRequest {
  const m = /^([^:\s]+):([a-z0-9]+)(?::(\d+))?$/i.exec(text.trim());
  const n = m?.[3] === undefined ? 1 : Number(m[3]);
  if (!m || n < 1 || n > 1000) {
    throw new Error(
      `expected <plan>:<metro or facility>[:<count 1-1000>], e.g. c3.small.x86:ny5:2, got ${JSON.stringify(text)}`,
    );
  }
  return { plan: m[1], location: m[2].toLowerCase(), count: n };
}

/** The simulator timings for a provisioning time. */
export function timingsFor(seconds: number): Partial<DeviceTimings> {
  const ms = Math.round(seconds * 1000);
  const queuedMs = Math.round(ms * 0.2);
  return { queuedMs, provisioningMs: ms - queuedMs, deprovisionVisibleMs: Math.round(ms / 3) };
}
