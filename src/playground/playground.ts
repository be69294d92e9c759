/**
 * The demo on a landscape (`landscape.ts`): starts it, prints where to connect and what is simulated, shows the live
 * progress, and runs the scenario — `once`: create → all Running → (steady state) → rolling update of one pool →
 * deletion, each report printed as a line and summed up in the summary; otherwise the shoots are created and
 * everything keeps serving (for kubectl) until the signal aborts. The landscape is always stopped, our components
 * gracefully.
 */
import { getLogger } from "../observability/log.ts";
import { type Clock, realClock } from "../runtime/clock.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { entropySeed } from "../sim/metal/mod.ts";
import type { ProcessUsage } from "./components.ts";
import type { FaultStats } from "./faults.ts";
import { type Landscape, startLandscape } from "./landscape.ts";
import { type PlaygroundOptions, validateOptions } from "./options.ts";
import { detectStatusMode, Output, type StatusMode, writeStdout } from "./output.ts";
import { renderProgressBlock, renderProgressLine } from "./progress.ts";
import type { CreateMilestones } from "./scenario.ts";
import { formatSummary, type PhaseReport } from "./summary.ts";
import {
  createdLine,
  deletedLine,
  kubectlHints,
  rolledLine,
  rollingUpdateLine,
  runningLine,
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

/** `once`: create, the optional steady state and rolling update, delete; each report printed and kept. */
async function runScenario(
  landscape: Landscape,
  opts: PlaygroundOptions,
  run: { output: Output; view: ProgressView; result: PlaygroundResult; usage(phase: string): void },
): Promise<void> {
  const { output, view, result, usage } = run;
  if (opts.steadyStateMs) {
    view.setPhase("steady state");
    const steady = await landscape.steadyState(opts.steadyStateMs);
    output.line(steadyStateLine(steady));
    result.reports.push(steady);
    usage("steady state");
  }
  if (opts.rollingUpdate ?? true) {
    view.setPhase("rolling update");
    const plan = landscape.planRollingUpdate();
    output.line(rollingUpdateLine(plan));
    const rolled = await landscape.rollingUpdate(plan);
    output.line(rolledLine(rolled));
    result.reports.push(rolled);
    usage("rolling update");
  }
  view.setPhase("deleting");
  const deleted = await landscape.delete();
  output.line(deletedLine(deleted));
  result.reports.push(deleted);
  usage("delete");
  view.setPhase("done");
  output.endStatus();
  for (const l of formatSummary(result.reports)) output.line(l);
}

/** Runs the scenario; unless `once`, keeps serving until the signal aborts. Always stops what it started. */
export async function runPlayground(opts: PlaygroundOptions = {}): Promise<PlaygroundResult> {
  validateOptions(opts);
  const clock: Clock = opts.clock ?? realClock;
  const log = opts.log ?? getLogger("playground");
  const print = opts.print ?? ((line: string) => console.log(line));
  const output = new Output(statusMode(opts), print, opts.print ? undefined : writeStdout);
  const seed = opts.randomSeed ?? entropySeed();

  const stop = new AbortController();
  const external = opts.once ? opts.signal : opts.signal ?? shutdownSignal(log);
  const onExternal = () => stop.abort(external?.reason);
  external?.addEventListener("abort", onExternal, { once: true });
  if (external?.aborted) onExternal();

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
    const ls = landscape;
    result.kubeconfigPath = ls.seedKubeconfig;
    result.url = ls.url;
    result.shootKubeconfigs = ls.shootKubeconfigs;
    for (const l of [ls.crdNote, ...startupLines(ls.startupFacts())]) output.line(l);
    output.line(runningLine(ls.shootKubeconfigs.length, opts.components ?? "in-process"));
    view = new ProgressView(output, ls, clock);
    if (opts.faults) output.line(`fault injection: ${JSON.stringify(opts.faults)}`);
    const usage = (phase: string) => result.usage.push({ phase, components: ls.usage() });
    usage("start");

    view.setPhase("creating");
    const created = await ls.create();
    output.line(createdLine(created));
    result.reports.push(created);
    result.milestones = created.milestones;
    usage("create");
    if (!opts.once) {
      view.setPhase("serving");
      for (const l of kubectlHints(result.kubeconfigPath, result.shootKubeconfigs[0], ls.shoots[0])) output.line(l);
      await aborted(stop.signal);
      return result;
    }
    await runScenario(ls, opts, { output, view, result, usage });
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
    external?.removeEventListener("abort", onExternal);
  }
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 120;
  }
}
