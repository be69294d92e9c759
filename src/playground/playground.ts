/**
 * The playground: the product's main job in one process. A shoot's Infrastructure and Worker become Running machines
 * on the simulated Equinix Metal and go away again without leaving anything behind.
 *
 * Runs a fake seed API server, a fake API server per shoot, the Metal API simulator over loopback HTTP, our
 * extension and one machine controller per shoot (in-process, or as CLI subprocesses), and three clearly labelled
 * simulations of the landscape around them: gardenlet's shoot flow (`src/sim/gardenlet`), MCM's
 * MachineDeployment/MachineSet controllers (`src/sim/machinedeployments`) and the nodes (`src/sim/nodes`).
 * `once` runs create → all Running → rolling update of one pool → deletion, checks that no device is duplicated or
 * left, and returns the summary; otherwise the shoots are created and everything keeps serving (for kubectl) until
 * the signal aborts. Everything started is stopped in reverse order, our components gracefully.
 */
import { isWriteVerb } from "../sim/apiserver/mod.ts";
import { getLogger } from "../observability/log.ts";
import { type Clock, realClock } from "../runtime/clock.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import {
  generatePools,
  poolShapes,
  shootNames,
  type ShootObjects,
  shootObjects,
  shootTemplateFrom,
} from "../sim/gardenlet/mod.ts";
import { entropySeed } from "../sim/kernel/mod.ts";
import {
  type ComponentContext,
  extensionSubprocess,
  machineControllerSubprocess,
  type ProcessUsage,
  readProcessUsage,
  startExtensionInProcess,
  startMachineControllerInProcess,
  Supervisor,
} from "./components.ts";
import { resolveCrds } from "./crds.ts";
import { FaultInjection, type FaultStats } from "./faults.ts";
import { EXTENSION_NAMESPACE, type Landscape, releasingWatches, startLandscape } from "./landscape.ts";
import { readManifestDir } from "./manifests.ts";
import { SeedObserver } from "./observer.ts";
import { DEFAULT_PROVISIONING_SECONDS, type PlaygroundOptions, timingsFor, validateOptions } from "./options.ts";
import { detectStatusMode, Output, type StatusMode, writeStdout } from "./output.ts";
import { computeProgress, renderProgressBlock, renderProgressLine } from "./progress.ts";
import {
  type CreateMilestones,
  createPhase,
  deletePhase,
  parallel,
  rollingUpdatePhase,
  type ScenarioContext,
  steadyStatePhase,
} from "./scenario.ts";
import { type CounterSnapshot, formatSummary, type PhaseReport } from "./summary.ts";
import { kubectlHints, NOTES } from "./texts.ts";

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

/** The project's example/ directory. */
export function defaultExamplesDir(): string {
  return new URL("../../example", import.meta.url).pathname;
}

function statusMode(opts: PlaygroundOptions): StatusMode {
  if (opts.status) return opts.status;
  return opts.print ? "plain" : detectStatusMode();
}

/** Reads the example shoot; returns the maker of the run's concrete shoots (once the credentials are known). */
async function planShoots(
  opts: PlaygroundOptions,
): Promise<(credentials: { apiToken: string; projectId: string }) => ShootObjects[]> {
  const manifests = await readManifestDir(opts.examplesDir ?? defaultExamplesDir());
  const template = shootTemplateFrom(manifests);
  const pools = opts.pools !== undefined ? generatePools(template, opts.pools, opts.machinesPerPool!) : undefined;
  const names = shootNames(template, opts.shoots ?? 1);
  return (credentials) => names.map((name, index) => shootObjects(template, { name, index, credentials, pools }));
}

/** Room in the simulator for every machine type the shoots use (and may roll to), surge included. */
function ensureCapacity(landscape: Landscape, shoots: ShootObjects[]): void {
  const need = new Map<string, number>();
  for (const s of shoots) {
    const region = String((s.worker as { spec?: { region?: string } }).spec?.region ?? "");
    for (const p of poolShapes(s)) {
      need.set(`${region} ${p.machineType}`, (need.get(`${region} ${p.machineType}`) ?? 0) + p.maximum);
    }
  }
  const total = [...need.values()].reduce((a, b) => a + b, 0);
  for (const key of need.keys()) {
    const [region] = key.split(" ");
    const types =
      (shoots[0].cluster as { spec?: { cloudProfile?: { spec?: { machineTypes?: Array<{ name: string }> } } } })
        .spec?.cloudProfile?.spec?.machineTypes ?? [];
    for (const t of types) {
      if (total * 2 + 10 > 100) landscape.metal.setCapacity(region, t.name, total * 2 + 10);
    }
  }
}

/** Runs the scenario; unless `once`, keeps serving until the signal aborts. Always stops what it started. */
export async function runPlayground(opts: PlaygroundOptions = {}): Promise<PlaygroundResult> {
  validateOptions(opts);
  const clock: Clock = opts.clock ?? realClock;
  const log = opts.log ?? getLogger("playground");
  const print = opts.print ?? ((line: string) => console.log(line));
  const output = new Output(statusMode(opts), print, opts.print ? undefined : writeStdout);
  const seed = opts.randomSeed ?? entropySeed();
  const provisioning = opts.provisioningSeconds ?? DEFAULT_PROVISIONING_SECONDS;
  const timings = opts.timings ?? timingsFor(provisioning);

  // Inputs first: a broken CRD directory or manifest fails before anything starts.
  const crdSet = resolveCrds(opts.crdsDir);
  const makeShoots = await planShoots(opts);
  const technicalIds = makeShoots({ apiToken: "", projectId: "" }).map((s) => s.technicalId);

  const ownDir = !opts.kubeconfigOut;
  const dir = opts.kubeconfigOut
    ? opts.kubeconfigOut.replace(/\/[^/]*$/, "") || "."
    : await Deno.makeTempDir({ prefix: "playground-" });
  const stop = new AbortController();
  const external = opts.once ? opts.signal : opts.signal ?? shutdownSignal(log);
  const onExternal = () => stop.abort(external?.reason);
  external?.addEventListener("abort", onExternal, { once: true });
  if (external?.aborted) onExternal();

  const result: PlaygroundResult = {
    kubeconfigPath: opts.kubeconfigOut ?? `${dir}/kubeconfig`,
    shootKubeconfigs: [],
    url: "",
    seed,
    reports: [],
    restarts: {},
    usage: [],
  };
  let landscape: Landscape | undefined;
  const supervisors: Supervisor[] = [];
  /** Each shoot's machine controller: started before its Worker, stopped once its Worker is gone (as MCM). */
  const machineControllers = new Map<string, Supervisor>();
  let faults: FaultInjection | undefined;
  let observer: SeedObserver | undefined;
  const observing = new AbortController();
  let progressTimer: ReturnType<Clock["setTimeout"]> | undefined;
  try {
    output.line(`${crdSet.note}`);
    landscape = await startLandscape({
      clock,
      log,
      crds: crdSet.crds,
      shoots: technicalIds,
      dir,
      seedKubeconfig: result.kubeconfigPath,
      seedPort: opts.port,
      metalTimings: timings,
      randomSeed: seed,
      watchHistory: opts.watchHistory,
      nodePollMs: opts.nodePollMs,
      onNotice: (m) => output.line(`gardenlet (simulated): ${m}`),
      deployMachineControllerManager: async (s) => await machineControllers.get(s.technicalId)?.start(),
      destroyMachineControllerManager: async (s) => await machineControllers.get(s.technicalId)?.stop("graceful"),
    });
    const ls = landscape;
    result.url = ls.seed.url;
    result.shootKubeconfigs = [...ls.shoots.values()].map((s) => s.kubeconfig);
    const shoots = makeShoots({ apiToken: ls.metal.defaultToken, projectId: ls.metal.defaultProjectId });
    ensureCapacity(ls, shoots);

    output.line(`kubeconfig: ${result.kubeconfigPath}`);
    for (const k of result.shootKubeconfigs.slice(0, 3)) output.line(`shoot kubeconfig: ${k}`);
    if (result.shootKubeconfigs.length > 3) {
      output.line(`… and ${result.shootKubeconfigs.length - 3} more shoot kubeconfigs in ${dir}`);
    }
    output.line(
      `Metal API simulator: ${ls.metalUrl} (project ${ls.metal.defaultProjectId}; devices take ${provisioning} s ` +
        `to provision) · random seed ${seed}`,
    );
    for (const n of NOTES) output.line(n);

    // Our components.
    const componentCtx: ComponentContext = {
      clock,
      log,
      metalUrl: ls.metalUrl,
      gracefulShutdownMs: opts.gracefulShutdownMs ?? 10_000,
    };
    const subprocess = opts.components === "subprocess";
    supervisors.push(
      new Supervisor(
        "extension",
        (gen) =>
          subprocess
            ? extensionSubprocess(componentCtx, { kubeconfig: result.kubeconfigPath, namespace: EXTENSION_NAMESPACE })
            : startExtensionInProcess({ ...componentCtx, log: log.child("extension") }, {
              connection: ls.seed.connection(),
              namespace: EXTENSION_NAMESPACE,
              identity: `playground-extension-${gen}`,
            }),
        clock,
        log,
      ),
    );
    for (const shoot of ls.shoots.values()) {
      const ns = shoot.technicalId;
      const supervisor = new Supervisor(
        `machine-controller ${ns}`,
        (gen) =>
          subprocess
            ? machineControllerSubprocess(componentCtx, {
              controlKubeconfig: result.kubeconfigPath,
              targetKubeconfig: shoot.kubeconfig,
              namespace: ns,
            })
            : startMachineControllerInProcess({
              ...componentCtx,
              log: log.child("machine-controller").with({ shoot: ns }),
            }, {
              control: ls.seed.connection(),
              target: shoot.api.connection(),
              namespace: ns,
              identity: `playground-machine-controller-${gen}`,
            }),
        clock,
        log,
      );
      supervisors.push(supervisor);
      machineControllers.set(ns, supervisor);
    }
    await parallel(supervisors, 8, (s) => s.start());
    output.line(
      `running: extension and ${ls.shoots.size} machine controller(s) ${subprocess ? "as subprocesses" : "in-process"}`,
    );

    observer = new SeedObserver(ls.seedClient, clock, log);
    observer.start(observing.signal);
    await observer.waitForSync(stop.signal);
    const obs = observer;

    const counters = (): CounterSnapshot => {
      const api: Record<string, number> = {};
      for (const s of ls.apiServers()) {
        for (const [k, v] of Object.entries(s.counters.snapshot().byVerbResource)) api[k] = (api[k] ?? 0) + v;
      }
      let nodeWrites = 0;
      for (const n of ls.nodes.values()) nodeWrites += n.stats.writes;
      return {
        at: clock.now(),
        metal: ls.metal.counters.snapshot(),
        metalListings: ls.metal.unfilteredDeviceListings.snapshot(),
        api,
        simulationWrites: ls.gardenlet.stats.writes + ls.machineDeployments.stats.writes + nodeWrites,
      };
    };

    // Live progress.
    const started = clock.now();
    let phase = "starting";
    const redraw = () => {
      const writes = Object.entries(counters().api).filter(([k]) => isWriteVerb(k.split(" ")[0]))
        .reduce((n, [, v]) => n + v, 0);
      const snapshot = computeProgress({
        elapsedMs: clock.now() - started,
        phase,
        shoots: shoots.length,
        workers: obs.workers.list(),
        deployments: obs.deployments.list(),
        machines: obs.machines.list(),
        deviceStates: ls.devices.all().map((d) => d.state),
        metalCalls: ls.metal.counters.total(),
        apiWrites: writes,
      });
      output.status(renderProgressBlock(snapshot, terminalWidth()), renderProgressLine(snapshot));
    };
    if (output.mode !== "quiet") {
      const tick = () => {
        redraw();
        progressTimer = clock.setTimeout(tick, output.mode === "tty" ? 250 : 500);
      };
      tick();
    }

    if (opts.faults) {
      faults = new FaultInjection(opts.faults, {
        metal: ls.metal,
        apiServers: () => ls.apiServers(),
        supervisors: () => supervisors,
        clock,
        log,
        seed,
      });
      faults.start();
      output.line(`fault injection: ${JSON.stringify(opts.faults)}`);
    }

    const usage = (name: string) => {
      const components: Record<string, ProcessUsage> = {};
      const self = readProcessUsage(Deno.pid);
      if (self) components[subprocess ? "landscape" : "all (in-process)"] = self;
      for (const s of supervisors) {
        const u = s.usage();
        if (u) components[s.name] = u;
      }
      result.usage.push({ phase: name, components });
    };
    usage("start");
    const ctx: ScenarioContext = {
      landscape: ls,
      observer: obs,
      shoots,
      clock,
      log,
      line: (t) => output.line(t),
      setPhase: (p) => {
        phase = p;
        if (output.mode !== "quiet") redraw();
      },
      counters,
      timeoutMs: opts.phaseTimeoutMs ?? 10 * 60_000,
      parallelShoots: opts.parallelShoots ?? 20,
      signal: stop.signal,
    };

    const created = await createPhase(ctx);
    result.reports.push(created.report);
    result.milestones = created.milestones;
    usage("create");
    if (!opts.once) {
      ctx.setPhase("serving");
      for (const l of kubectlHints(result.kubeconfigPath, result.shootKubeconfigs[0], shoots[0])) output.line(l);
      await aborted(stop.signal);
      return result;
    }
    if (opts.steadyStateMs) {
      result.reports.push(await steadyStatePhase(ctx, opts.steadyStateMs));
      usage("steady state");
    }
    if (opts.rollingUpdate ?? true) {
      result.reports.push(await rollingUpdatePhase(ctx));
      usage("rolling update");
    }
    result.reports.push(await deletePhase(ctx));
    usage("delete");
    ctx.setPhase("done");
    output.endStatus();
    for (const l of formatSummary(result.reports)) output.line(l);
    return result;
  } catch (e) {
    // Stopped before the shoots were up: when serving, that is what the user asked for (Ctrl-C), not a failure.
    if (!opts.once && stop.signal.aborted) return result;
    throw e;
  } finally {
    const t0 = Date.now();
    const step = (what: string) => log.debug("Stopped", { what, ms: Date.now() - t0 });
    if (progressTimer) clock.clearTimeout(progressTimer);
    output.endStatus();
    await faults?.stop();
    if (faults) result.faults = faults.stats;
    for (const s of supervisors) result.restarts[s.name] = s.restarts;
    observing.abort();
    const stopping = Promise.all([
      ...supervisors.map((s) => s.stop("graceful").catch((e) => log.error("Stopping failed", { error: e }))),
      observer?.stopped(),
    ]);
    await (landscape ? releasingWatches(() => landscape!.apiServers(), stopping) : stopping);
    step("components and observer");
    await landscape?.stop();
    step("landscape");
    external?.removeEventListener("abort", onExternal);
    if (ownDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 120;
  }
}
