/**
 * The demo on a landscape (`landscape.ts`): starts it, prints where to connect and what is simulated, shows the live
 * progress, and runs the scenario — `once`: create → all Running → (steady state) → rolling update of one pool →
 * deletion, each report printed as a line and summed up in the summary; otherwise the shoots are created and
 * everything keeps serving (for kubectl) until the signal aborts. The landscape is always stopped, our components
 * gracefully.
 */
import { getLogger, type Logger } from "../observability/log.ts";
import { type Clock, realClock } from "../runtime/clock.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { entropySeed } from "../sim/kernel/mod.ts";
import type { ProcessUsage } from "./components.ts";
import type { FaultStats } from "./faults.ts";
import { type Landscape, startLandscape } from "./landscape.ts";
import { type PlaygroundOptions, validateOptions } from "./options.ts";
import { detectStatusMode, Output, type StatusMode, writeStdout } from "./output.ts";
import { renderProgressBlock, renderProgressLine } from "./progress.ts";
import { authorizationLines } from "./rbac.ts";
import type { CreateMilestones } from "./scenario.ts";
import { formatSummary, type PhaseReport } from "./summary.ts";
import {
  createdLine,
  deletedLine,
  hibernatedLine,
  kubectlHints,
  migratedLine,
  NOTHING_LEFT_LINE,
  rolledLine,
  rollingUpdateLine,
  runningLine,
  shootConditionLines,
  startupLines,
  steadyStateLine,
} from "./texts.ts";

export type { PlaygroundOptions } from "./options.ts";
export type { FaultOptions } from "./faults.ts";
export type { PhaseReport } from "./summary.ts";
export type { ProcessUsage } from "./components.ts";

/** What a run did. */
export interface PlaygroundResult {
  /** The seed's kubeconfig (`kubeconfig: <path>`). */
  kubeconfigPath: string;
  /** One per shoot (`shoot kubeconfig: <path>`). */
  shootKubeconfigs: string[];
  /** The seed API server's URL. */
  url: string;
  /** The random seed used (reproduces fault decisions and ids). */
  seed: number;
  /** Phase reports of `once`. */
  reports: PhaseReport[];
  milestones?: CreateMilestones;
  faults?: FaultStats;
  /** Restarts per component (requested and after unexpected stops). */
  restarts: Record<string, number>;
  /** At start and after each phase: CPU seconds and peak RSS per component (subprocesses) and of this process. */
  usage: Array<{ phase: string; components: Record<string, ProcessUsage> }>;
}

function statusMode(opts: PlaygroundOptions): StatusMode {
  if (opts.status) return opts.status;
  return opts.print ? "plain" : detectStatusMode();
}

/** The live progress view: redrawn on a timer of the clock and on every phase change (none when quiet). */
class ProgressView {
  private phase = "starting";
  private timer?: ReturnType<Clock["setTimeout"]>;
  private readonly started: number;

  constructor(private readonly output: Output, private readonly landscape: Landscape, private readonly clock: Clock) {
    this.started = clock.now();
    if (output.mode === "quiet") return;
    const tick = () => {
      this.redraw();
      this.timer = clock.setTimeout(tick, output.mode === "tty" ? 250 : 500);
    };
    tick();
  }

  private redraw(): void {
    const snapshot = this.landscape.progress(this.phase, this.clock.now() - this.started);
    this.output.status(renderProgressBlock(snapshot, terminalWidth()), renderProgressLine(snapshot));
  }

  /** Shows `phase` from now on. */
  setPhase(phase: string): void {
    this.phase = phase;
    if (this.output.mode !== "quiet") this.redraw();
  }

  /** Stops redrawing; the last block stays on screen. */
  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.output.endStatus();
  }
}

/** A run in progress: where lines go, the live view, and the result being filled. */
interface Run {
  landscape: Landscape;
  output: Output;
  view: ProgressView;
  result: PlaygroundResult;
}

/** Prints a phase's line, keeps its report and the resource usage after it. */
function record(run: Run, report: PhaseReport, line: string): void {
  run.output.line(line);
  run.result.reports.push(report);
  recordUsage(run, report.name);
}

function recordUsage(run: Run, phase: string): void {
  run.result.usage.push({ phase, components: run.landscape.usage() });
}

/** Where to connect, what is simulated, what runs. */
function announce(output: Output, ls: Landscape, opts: PlaygroundOptions): void {
  for (const l of [ls.crdNote, ...startupLines(ls.startupFacts())]) output.line(l);
  output.line(runningLine(ls.shootKubeconfigs.length, opts.components ?? "in-process"));
}

/** Creates the shoots; then serves until `signal` aborts or, `once`, runs the rest of the scenario and its summary. */
async function runScenario(run: Run, opts: PlaygroundOptions, signal: AbortSignal): Promise<void> {
  const { landscape: ls, output, view, result } = run;
  view.setPhase("creating");
  const created = await ls.create();
  result.milestones = created.milestones;
  record(run, created, createdLine(created));
  for (const l of shootConditionLines(created)) output.line(l);
  if (!opts.once) {
    view.setPhase("serving");
    for (const l of kubectlHints(result.kubeconfigPath, result.shootKubeconfigs[0], ls.shoots[0])) output.line(l);
    await aborted(signal);
    return;
  }
  if (opts.steadyStateMs) {
    view.setPhase("steady state");
    const steady = await ls.steadyState(opts.steadyStateMs);
    record(run, steady, steadyStateLine(steady));
  }
  if (opts.rollingUpdate ?? true) {
    view.setPhase("rolling update");
    const plan = ls.planRollingUpdate();
    output.line(rollingUpdateLine(plan));
    if (plan.changes.length) {
      const rolled = await ls.rollingUpdate(plan);
      record(run, rolled, rolledLine(rolled));
    }
  }
  if (opts.hibernate) {
    view.setPhase("hibernating");
    const slept = await ls.hibernate();
    record(run, slept, hibernatedLine(slept));
    for (const l of shootConditionLines(slept)) output.line(l);
  }
  if (opts.migrate ?? true) {
    view.setPhase("migrating");
    const migrated = await ls.migrate();
    record(run, migrated, migratedLine(migrated));
  }
  view.setPhase("deleting");
  const deleted = await ls.delete();
  record(run, deleted, deletedLine(deleted));
  output.line(NOTHING_LEFT_LINE);
  view.setPhase("done");
  output.endStatus();
  for (const l of formatSummary(result.reports)) output.line(l);
  for (const l of authorizationLines(ls.authorization())) output.line(l);
}

/**
 * The run's stop signal: `opts.signal`, or unless `once` the first SIGINT/SIGTERM. `release()` stops listening.
 */
function stopSignal(opts: PlaygroundOptions, log: Logger): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const external = opts.once ? opts.signal : opts.signal ?? shutdownSignal(log);
  const onExternal = () => stop.abort(external?.reason);
  external?.addEventListener("abort", onExternal, { once: true });
  if (external?.aborted) onExternal();
  return { signal: stop.signal, release: () => external?.removeEventListener("abort", onExternal) };
}

/** Runs the scenario; unless `once`, keeps serving until the signal aborts. Always stops what it started. */
export async function runPlayground(opts: PlaygroundOptions = {}): Promise<PlaygroundResult> {
  validateOptions(opts);
  const clock: Clock = opts.clock ?? realClock;
  const log = opts.log ?? getLogger("playground");
  const print = opts.print ?? ((line: string) => console.log(line));
  const output = new Output(statusMode(opts), print, opts.print ? undefined : writeStdout);
  const seed = opts.randomSeed ?? entropySeed();
  const stop = stopSignal(opts, log);
  const result: PlaygroundResult = {
    kubeconfigPath: opts.kubeconfigOut ?? "",
    shootKubeconfigs: [],
    url: "",
    seed,
    reports: [],
    restarts: {},
    usage: [],
  };
  let landscape: Landscape | undefined;
  let view: ProgressView | undefined;
  try {
    landscape = await startLandscape({
      ...opts,
      clock,
      log,
      randomSeed: seed,
      signal: stop.signal,
      onNotice: (m) => output.line(`gardenlet (simulated): ${m}`),
    });
    Object.assign(result, {
      kubeconfigPath: landscape.seedKubeconfig,
      url: landscape.url,
      shootKubeconfigs: landscape.shootKubeconfigs,
    });
    announce(output, landscape, opts);
    view = new ProgressView(output, landscape, clock);
    if (opts.faults) output.line(`fault injection: ${JSON.stringify(opts.faults)}`);
    const run: Run = { landscape, output, view, result };
    recordUsage(run, "start");
    await runScenario(run, opts, stop.signal);
    return result;
  } catch (e) {
    // Stopped before the shoots were up: when serving, that is what the user asked for (Ctrl-C), not a failure.
    if (!opts.once && stop.signal.aborted) return result;
    throw e;
  } finally {
    view?.stop();
    output.endStatus();
    if (landscape) {
      const outcome = await landscape.stop();
      if (outcome.faults) result.faults = outcome.faults;
      result.restarts = outcome.restarts;
    }
    stop.release();
  }
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 120;
  }
}
