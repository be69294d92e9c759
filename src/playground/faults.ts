/**
 * Fault injection for playground runs, seeded and reproducible in its decisions: lost responses, late-committed
 * creates, 5xx answers and 429 bursts from the Metal API; conflicts, dropped watches and 410 Gone (compaction) from every API server; and
 * restarts of our components at random moments (as crashes or graceful restarts).
 */
import { z } from "zod";
import type { Logger } from "../observability/log.ts";
import type { Clock, Timer } from "../runtime/clock.ts";
import type { ApiServer } from "../sim/apiserver/mod.ts";
import type { MetalSimulator } from "../sim/metal/mod.ts";
import { Rng } from "../sim/kernel/mod.ts";
import type { StopMode, Supervisor } from "./components.ts";

const percent = z.number().min(0).max(100);
const period = z.number().int().positive();

/** What to inject; every field is optional (absent: no such fault). */
export const FaultOptionsSchema = z.strictObject({
  metal: z.strictObject({
    /** Share of requests that take effect but whose response is lost. */
    lostResponsePercent: percent.optional(),
    /** Share of requests answered 500 or 503 (half each) without effect. */
    serverErrorPercent: percent.optional(),
    /** Share of device creates whose response is lost and whose device is visible only 15 s later. */
    lateCommitPercent: percent.optional(),
    /** Every `everyMs` the next `size` requests get 429 with Retry-After 1 s. */
    rateLimitBursts: z.strictObject({ everyMs: period, size: z.number().int().positive() }).optional(),
  }).optional(),
  apiServers: z.strictObject({
    /** Share of updates and patches answered 409 Conflict. */
    conflictPercent: percent.optional(),
    /** Close every watch stream this often. */
    watchDropEveryMs: period.optional(),
    /** Compact the watch history (resumes get 410 Gone) and close the watches this often. */
    goneEveryMs: period.optional(),
  }).optional(),
  restarts: z.strictObject({
    /** Mean time between restarts of a random component (uniform in [0.5, 1.5] × this). */
    everyMs: period,
    /** crash: cut off in-flight work (default); graceful: let it finish; mixed: either at random. */
    mode: z.enum(["crash", "graceful", "mixed"]).optional(),
  }).optional(),
});

/** Faults of a run. */
export type FaultOptions = z.output<typeof FaultOptionsSchema>;

/** What was injected (restarts by component name). */
export interface FaultStats {
  rateLimitBursts: number;
  watchDrops: number;
  compactions: number;
  restarts: Record<string, number>;
  /** What the Metal simulator injected, by `<kind> <METHOD> <endpoint>` (kind: lost, late-commit, 500, 503, 429). */
  metalInjected: Record<string, number>;
}

/** Runs the periodic faults and restarts; `stop()` removes every rule and timer. */
export class FaultInjection {
  readonly stats: FaultStats = { rateLimitBursts: 0, watchDrops: 0, compactions: 0, restarts: {}, metalInjected: {} };
  private readonly timers = new Set<Timer>();
  private readonly removers: Array<() => void> = [];
  private readonly rng: Rng;
  private stopped = false;
  private restarting?: Promise<void>;

  constructor(
    private readonly opts: FaultOptions,
    private readonly deps: {
      metal: MetalSimulator;
      apiServers: () => ApiServer[];
      supervisors: () => Supervisor[];
      clock: Clock;
      log: Logger;
      seed: number;
    },
  ) {
    this.rng = new Rng(deps.seed ^ 0x5eed);
  }

  /** Installs the rules and starts the periodic faults. */
  start(): void {
    const { metal, apiServers } = this.deps;
    const m = this.opts.metal ?? {};
    this.removers.push(metal.faults.addProfile(m));
    if (m.rateLimitBursts) {
      const { everyMs, size } = m.rateLimitBursts;
      this.every(everyMs, () => {
        this.stats.rateLimitBursts++;
        this.removers.push(metal.faults.add({ status: 429, times: size, retryAfterSeconds: 1 }));
      });
    }
    const a = this.opts.apiServers ?? {};
    if (a.conflictPercent) {
      for (const api of apiServers()) {
        for (const verb of ["update", "patch"] as const) {
          this.removers.push(api.faults.add({ verb, status: 409, probability: a.conflictPercent / 100 }));
        }
      }
    }
    if (a.watchDropEveryMs) {
      this.every(a.watchDropEveryMs, () => {
        this.stats.watchDrops++;
        for (const api of apiServers()) api.faults.dropWatches();
      });
    }
    if (a.goneEveryMs) {
      this.every(a.goneEveryMs, () => {
        this.stats.compactions++;
        for (const api of apiServers()) {
          api.faults.compact();
          api.faults.dropWatches();
        }
      });
    }
    if (this.opts.restarts) this.scheduleRestart();
  }

  private every(ms: number, fn: () => void): void {
    const tick = () => {
      if (this.stopped) return;
      fn();
      this.schedule(ms, tick);
    };
    this.schedule(ms, tick);
  }

  private schedule(ms: number, fn: () => void): void {
    const t = this.deps.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private scheduleRestart(): void {
    const { everyMs, mode = "crash" } = this.opts.restarts!;
    this.schedule(Math.round(everyMs * (0.5 + this.rng.next())), () => {
      if (this.stopped) return;
      const supervisors = this.deps.supervisors();
      if (supervisors.length > 0 && !this.restarting) {
        const target = supervisors[this.rng.int(supervisors.length)];
        const how: StopMode = mode === "mixed" ? (this.rng.next() < 0.5 ? "crash" : "graceful") : mode;
        this.stats.restarts[target.name] = (this.stats.restarts[target.name] ?? 0) + 1;
        this.restarting = target.restart(how).catch((e) =>
          this.deps.log.error("Restarting a component failed", { component: target.name, error: e })
        ).finally(() => (this.restarting = undefined));
      }
      this.scheduleRestart();
    });
  }

  /** Removes every rule, stops the timers and waits for a restart in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.deps.clock.clearTimeout(t);
    this.timers.clear();
    for (const r of this.removers) r();
    this.removers.length = 0;
    this.stats.metalInjected = this.deps.metal.faults.snapshot();
    await this.restarting;
  }
}
