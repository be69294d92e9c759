/**
 * A landscape to run the scenario against, on one clock: the simulators (`simulators.ts`), our components among them
 * (the extension and one machine controller per shoot, supervised), an observer of the seed and, if asked for,
 * fault injection. Its phases — create, steady state, rolling update, delete — return typed reports; `stop()` stops
 * everything in reverse order and reports the faults injected and the restarts. The playground renders the reports as
 * text; the end-to-end tests assert on them.
 */
import type { KubeObject } from "../k8s/api/objects.ts";
import { getLogger, type Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { type ApiServer, isWriteVerb } from "../sim/apiserver/mod.ts";
import {
  type CloudProfileManifest,
  generatePools,
  parseCloudProfileManifest,
  parseShootManifest,
  poolShapes,
  shootNames,
  type ShootObjects,
  shootObjects,
  type ShootTemplate,
  shootTemplateFrom,
  shootTemplateFromShoot,
} from "../sim/gardenlet/mod.ts";
import type { SeedData } from "../sim/metal/mod.ts";
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
import { readManifestDir } from "./manifests.ts";
import { SeedObserver } from "./observer.ts";
import { type ClusterAuthorization, PlaygroundRbac } from "./rbac.ts";
import { DEFAULT_PROVISIONING_SECONDS, type PlaygroundOptions, timingsFor, validateOptions } from "./options.ts";
import { computeProgress, type ProgressSnapshot } from "./progress.ts";
import {
  createPhase,
  type CreateReport,
  deletePhase,
  type DeleteReport,
  parallel,
  planRollingUpdate,
  rollingUpdatePhase,
  type RollingUpdatePlan,
  type RollingUpdateReport,
  type ScenarioContext,
  steadyStatePhase,
  type SteadyStateReport,
} from "./scenario.ts";
import {
  EXTENSION_NAMESPACE,
  playgroundMetalSeed,
  releasingWatches,
  type Simulators,
  startSimulators,
} from "./simulators.ts";
import type { CounterSnapshot } from "./summary.ts";
import type { StartupFacts } from "./texts.ts";

/**
 * How to start a landscape: the playground's options (those about the demo's output and the scenario's sequence —
 * `once`, `print`, `status`, `rollingUpdate`, `steadyStateMs` — are not read here), plus a required clock and seed.
 */
export type LandscapeOptions = PlaygroundOptions & {
  /** Time source of everything (tests pass a FakeClock and drive it). */
  clock: Clock;
  /** Seed of every random decision (ids, faults, restarts): a landscape is reproducible. */
  randomSeed: number;
  /** The extension's seed RBAC for its namespace, instead of the chart's (tests take permissions away). */
  extensionRbac?: (namespace: string) => KubeObject[];
  /** Notices of the gardenlet simulation (re-annotation after a user's Worker change). */
  onNotice?: (message: string) => void;
};

/** What a landscape's stop reports. */
export interface LandscapeOutcome {
  /** What was injected (with fault injection only). */
  faults?: FaultStats;
  /** Restarts per component (requested and after unexpected stops). */
  restarts: Record<string, number>;
}

/** The inputs, read before anything starts so that a broken CRD directory or manifest fails first. */
interface Inputs {
  crds: KubeObject[];
  crdNote: string;
  /** The run's concrete shoots, once the credentials are known. */
  makeShoots(credentials: { apiToken: string; projectId: string }): ShootObjects[];
  technicalIds: string[];
  /** The Metal simulator's world (the operator's keys, the reservations asked for). */
  metalSeed: SeedData;
}

/** The project's example/ directory. */
export function defaultExamplesDir(): string {
  return new URL("../../example", import.meta.url).pathname;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The templates of `--shoot` files, derived as gardenlet does; throws naming the file and field, or a clash. */
async function templatesOfShootFiles(files: string[], base: ShootTemplate, profileFile?: string) {
  let profile: CloudProfileManifest | undefined;
  if (profileFile) profile = parseCloudProfileManifest(await readText(profileFile, "CloudProfile"), profileFile);
  const templates: ShootTemplate[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const shoot = parseShootManifest(await readText(file, "Shoot manifest"), file);
    const t = shootTemplateFromShoot(shoot, base, { file, profile, profileFile });
    const other = seen.get(t.technicalId);
    if (other) throw new Error(`${file}: metadata: the shoot ${t.technicalId} is already given by ${other}`);
    seen.set(t.technicalId, file);
    templates.push(t);
  }
  return templates;
}

async function readInputs(opts: LandscapeOptions): Promise<Inputs> {
  const crdSet = resolveCrds(opts.crdsDir);
  const manifests = await readManifestDir(opts.examplesDir ?? defaultExamplesDir());
  const template = shootTemplateFrom(manifests);
  const metalSeed = playgroundMetalSeed(opts.hardwareReservations ?? []);
  let makeShoots: Inputs["makeShoots"];
  if (opts.shootFiles) {
    const templates = await templatesOfShootFiles(opts.shootFiles, template, opts.cloudProfileFile);
    makeShoots = (credentials) => templates.map((t) => shootObjects(t, { name: t.shootName, index: 0, credentials }));
  } else {
    const pools = opts.pools !== undefined ? generatePools(template, opts.pools, opts.machinesPerPool!) : undefined;
    const names = shootNames(template, opts.shoots ?? 1);
    makeShoots = (credentials) =>
      names.map((name, index) => shootObjects(template, { name, index, credentials, pools }));
  }
  const technicalIds = makeShoots({ apiToken: "", projectId: "" }).map((s) => s.technicalId);
  return { crds: crdSet.crds, crdNote: crdSet.note, makeShoots, technicalIds, metalSeed };
}

/** The kubeconfigs' directory: that of `kubeconfigOut`, else a new temporary one (removed on stop). */
async function kubeconfigDir(opts: LandscapeOptions): Promise<{ dir: string; own: boolean; seedKubeconfig: string }> {
  if (opts.kubeconfigOut) {
    return { dir: opts.kubeconfigOut.replace(/\/[^/]*$/, "") || ".", own: false, seedKubeconfig: opts.kubeconfigOut };
  }
  const dir = await Deno.makeTempDir({ prefix: "playground-" });
  return { dir, own: true, seedKubeconfig: `${dir}/kubeconfig` };
}

/** Room in the simulator for every machine type the shoots use (and may roll to), surge included. */
function ensureCapacity(simulators: Simulators, shoots: ShootObjects[]): void {
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
      if (total * 2 + 10 > 100) simulators.metal.setCapacity(region, t.name, total * 2 + 10);
    }
  }
}

/** The reservations `hardwareReservations` added: the last ones of the simulator's seed (they are appended). */
function askedReservations(sims: Simulators, opts: LandscapeOptions) {
  const n = (opts.hardwareReservations ?? []).reduce((sum, r) => sum + r.count, 0);
  return n === 0 ? [] : sims.metal.seed.hardwareReservations.slice(-n).map(({ id, plan, facility }) => ({
    id,
    plan,
    facility,
  }));
}

/** A supervisor for the extension and one per shoot's machine controller, in-process or as CLI subprocesses. */
function superviseComponents(
  sims: Simulators,
  ctx: ComponentContext,
  how: "in-process" | "subprocess",
  rbac: PlaygroundRbac | undefined,
): { extension: Supervisor; machineControllers: Map<string, Supervisor> } {
  const { clock, log } = ctx;
  const subprocess = how === "subprocess";
  const dir = sims.seedKubeconfig.replace(/\/[^/]*$/, "") || ".";
  /** A kubeconfig file of a token (the admin's file without RBAC). */
  const kubeconfigOf = async (api: ApiServer, file: string, token: string | undefined, admin: string) => {
    if (token === undefined) return admin;
    await api.writeKubeconfig(`${dir}/${file}`, token);
    return `${dir}/${file}`;
  };
  const extension = new Supervisor(
    "extension",
    async (gen) => {
      const token = await rbac?.extensionToken(sims.seed, EXTENSION_NAMESPACE);
      return subprocess
        ? extensionSubprocess(ctx, {
          kubeconfig: await kubeconfigOf(sims.seed, "extension.kubeconfig", token, sims.seedKubeconfig),
          namespace: EXTENSION_NAMESPACE,
        })
        : startExtensionInProcess({ ...ctx, log: log.child("extension") }, {
          connection: sims.seed.connection(token),
          namespace: EXTENSION_NAMESPACE,
          identity: `playground-extension-${gen}`,
        });
    },
    clock,
    log,
  );
  const machineControllers = new Map<string, Supervisor>();
  for (const shoot of sims.shoots.values()) {
    const ns = shoot.technicalId;
    machineControllers.set(
      ns,
      new Supervisor(
        `machine-controller ${ns}`,
        async (gen) => {
          const tokens = await rbac?.machineControllerTokens(sims.seed, shoot);
          return subprocess
            ? machineControllerSubprocess(ctx, {
              controlKubeconfig: await kubeconfigOf(
                sims.seed,
                `mc-${ns}.kubeconfig`,
                tokens?.control,
                sims.seedKubeconfig,
              ),
              targetKubeconfig: await kubeconfigOf(
                shoot.api,
                `mc-${ns}-target.kubeconfig`,
                tokens?.target,
                shoot.kubeconfig,
              ),
              namespace: ns,
            })
            : startMachineControllerInProcess({ ...ctx, log: log.child("machine-controller").with({ shoot: ns }) }, {
              control: sims.seed.connection(tokens?.control),
              target: shoot.api.connection(tokens?.target),
              namespace: ns,
              identity: `playground-machine-controller-${gen}`,
            });
        },
        clock,
        log,
      ),
    );
  }
  return { extension, machineControllers };
}

/** What a landscape holds while it starts (parts still missing when start-up failed). */
interface Parts {
  dir?: { dir: string; own: boolean };
  simulators?: Simulators;
  supervisors: Supervisor[];
  observer?: SeedObserver;
  observing: AbortController;
  faults?: FaultInjection;
  /** The RBAC our components run under (unless `rbac: false`). */
  rbac?: PlaygroundRbac;
}

/** Stops what was started, in reverse order: faults, then components and observer together, simulators, directory. */
async function stopParts(parts: Parts, log: Logger): Promise<LandscapeOutcome> {
  const t0 = Date.now();
  const step = (what: string) => log.debug("Stopped", { what, ms: Date.now() - t0 });
  await parts.faults?.stop();
  const outcome: LandscapeOutcome = { faults: parts.faults?.stats, restarts: {} };
  for (const s of parts.supervisors) outcome.restarts[s.name] = s.restarts;
  parts.observing.abort();
  const stopping = Promise.all([
    ...parts.supervisors.map((s) => s.stop("graceful").catch((e) => log.error("Stopping failed", { error: e }))),
    parts.observer?.stopped(),
  ]);
  const sims = parts.simulators;
  await (sims ? releasingWatches(() => sims.apiServers(), stopping) : stopping);
  step("components and observer");
  await sims?.stop();
  step("landscape");
  if (parts.dir?.own) await Deno.remove(parts.dir.dir, { recursive: true }).catch(() => {});
  return outcome;
}

/** What `startLandscape` hands a landscape. */
interface Started {
  opts: Opts;
  parts: Parts;
  dir: string;
  simulators: Simulators;
  observer: SeedObserver;
  crdNote: string;
  shoots: ShootObjects[];
}

/** A running landscape: its addresses, its live numbers, and the scenario's phases. */
export class Landscape {
  /** The seed's kubeconfig. */
  readonly seedKubeconfig: string;
  /** One kubeconfig per shoot. */
  readonly shootKubeconfigs: string[];
  /** The seed API server's URL. */
  readonly url: string;
  /** The CRDs installed, in one sentence. */
  readonly crdNote: string;
  /** The shoots of the scenario (the rolling update changes their Worker and Cluster). */
  readonly shoots: ShootObjects[];
  private readonly scenario: ScenarioContext;
  private stopping?: Promise<LandscapeOutcome>;

  /** Use `startLandscape`. */
  constructor(private readonly started: Started) {
    const { opts, simulators: sims, observer } = started;
    this.seedKubeconfig = sims.seedKubeconfig;
    this.shootKubeconfigs = [...sims.shoots.values()].map((s) => s.kubeconfig);
    this.url = sims.seed.url;
    this.crdNote = started.crdNote;
    this.shoots = started.shoots;
    this.scenario = {
      simulators: sims,
      observer,
      shoots: this.shoots,
      clock: opts.clock,
      log: opts.log,
      counters: () => this.counters(),
      timeoutMs: opts.phaseTimeoutMs ?? 10 * 60_000,
      parallelShoots: opts.parallelShoots ?? 20,
      signal: opts.signal,
      wantedKeys: new Map(),
    };
  }

  /** The simulators. */
  get simulators(): Simulators {
    return this.started.simulators;
  }

  /** Where the start-up lines point. */
  startupFacts(): StartupFacts {
    const { simulators: sims, opts } = this.started;
    return {
      seedKubeconfig: this.seedKubeconfig,
      shootKubeconfigs: this.shootKubeconfigs,
      dir: this.started.dir,
      metalUrl: sims.metalUrl,
      metalProjectId: sims.metal.defaultProjectId,
      provisioningSeconds: opts.provisioningSeconds ?? DEFAULT_PROVISIONING_SECONDS,
      randomSeed: opts.randomSeed,
      hardwareReservations: askedReservations(sims, opts),
    };
  }

  /** Request counters of the Metal simulator and every API server, and the simulations' writes, now. */
  counters(): CounterSnapshot {
    const sims = this.started.simulators;
    const api: Record<string, number> = {};
    for (const s of sims.apiServers()) {
      for (const [k, v] of Object.entries(s.counters.snapshot().byVerbResource)) api[k] = (api[k] ?? 0) + v;
    }
    let nodeWrites = 0;
    for (const n of sims.nodes.values()) nodeWrites += n.stats.writes;
    return {
      at: this.started.opts.clock.now(),
      metal: sims.metal.counters.snapshot(),
      metalListings: sims.metal.unfilteredDeviceListings.snapshot(),
      api,
      simulationWrites: sims.gardenlet.stats.writes + sims.machineDeployments.stats.writes + nodeWrites,
    };
  }

  /** The live progress (Workers, pools, machines, devices, calls) for the view. */
  progress(phase: string, elapsedMs: number): ProgressSnapshot {
    const { simulators: sims, observer } = this.started;
    const apiWrites = Object.entries(this.counters().api).filter(([k]) => isWriteVerb(k.split(" ")[0]))
      .reduce((n, [, v]) => n + v, 0);
    return computeProgress({
      elapsedMs,
      phase,
      shoots: this.shoots.length,
      workers: observer.workers.list(),
      deployments: observer.deployments.list(),
      machines: observer.machines.list(),
      deviceStates: sims.devices.all().map((d) => d.state),
      metalCalls: sims.metal.counters.total(),
      apiWrites,
    });
  }

  /** CPU seconds and peak RSS per component subprocess and of this process. */
  usage(): Record<string, ProcessUsage> {
    const components: Record<string, ProcessUsage> = {};
    const self = readProcessUsage(Deno.pid);
    if (self) components[this.started.opts.components === "subprocess" ? "landscape" : "all (in-process)"] = self;
    for (const s of this.started.parts.supervisors) {
      const u = s.usage();
      if (u) components[s.name] = u;
    }
    return components;
  }

  /** Creates every shoot: all Workers ready, all machines Running, exactly one device each. */
  create(): Promise<CreateReport> {
    return createPhase(this.scenario);
  }

  /** Lets `ms` pass with nothing changing (after a short settling time). */
  steadyState(ms: number): Promise<SteadyStateReport> {
    return steadyStatePhase(this.scenario, ms);
  }

  /** What `rollingUpdate` will change. */
  planRollingUpdate(): RollingUpdatePlan {
    return planRollingUpdate(this.scenario);
  }

  /** Moves each shoot's first pool to another machine type and waits until the pool runs only that. */
  rollingUpdate(plan: RollingUpdatePlan = this.planRollingUpdate()): Promise<RollingUpdateReport> {
    return rollingUpdatePhase(this.scenario, plan);
  }

  /** Per cluster, the rules of our RBAC no request used and the requests denied so far (none without RBAC). */
  authorization(): ClusterAuthorization[] {
    return this.started.parts.rbac?.report() ?? [];
  }

  /** Deletes every shoot; no device of theirs may be left. */
  delete(): Promise<DeleteReport> {
    return deletePhase(this.scenario);
  }

  /** Stops everything (our components gracefully) and reports faults and restarts; later calls get the same. */
  stop(): Promise<LandscapeOutcome> {
    this.stopping ??= stopParts(this.started.parts, this.started.opts.log);
    return this.stopping;
  }
}

type Opts = LandscapeOptions & { log: Logger };

/** Our components, supervised; resolves once each has started. */
async function startComponents(
  sims: Simulators,
  parts: Parts,
  opts: Opts,
  machineControllers: Map<string, Supervisor>,
): Promise<void> {
  const { clock, log } = opts;
  const ctx = { clock, log, metalUrl: sims.metalUrl, gracefulShutdownMs: opts.gracefulShutdownMs ?? 10_000 };
  const supervised = superviseComponents(sims, ctx, opts.components ?? "in-process", parts.rbac);
  for (const [ns, s] of supervised.machineControllers) machineControllers.set(ns, s);
  parts.supervisors.push(supervised.extension, ...machineControllers.values());
  await parallel(parts.supervisors, 8, (s) => s.start());
}

/** The observer of the seed; resolves once its caches are filled. */
async function startObserver(sims: Simulators, parts: Parts, opts: Opts): Promise<SeedObserver> {
  const observer = new SeedObserver(sims.seedClient, opts.clock, opts.log);
  parts.observer = observer;
  observer.start(parts.observing.signal);
  await observer.waitForSync(opts.signal);
  return observer;
}

/** The faults asked for, on the simulators and our components. */
function startFaults(sims: Simulators, parts: Parts, opts: Opts): void {
  if (!opts.faults) return;
  parts.faults = new FaultInjection(opts.faults, {
    metal: sims.metal,
    apiServers: () => sims.apiServers(),
    supervisors: () => parts.supervisors,
    clock: opts.clock,
    log: opts.log,
    seed: opts.randomSeed,
  });
  parts.faults.start();
}

/**
 * Starts a landscape in named steps — inputs, kubeconfig directory, simulators, capacity, components, observer,
 * faults — and on failure stops what was started and rethrows.
 */
export async function startLandscape(options: LandscapeOptions): Promise<Landscape> {
  validateOptions(options);
  const opts: Opts = { ...options, log: options.log ?? getLogger("playground") };
  const inputs = await readInputs(opts);
  const parts: Parts = {
    supervisors: [],
    observing: new AbortController(),
    rbac: options.rbac === false ? undefined : new PlaygroundRbac(options.extensionRbac),
  };
  try {
    const place = await kubeconfigDir(opts);
    parts.dir = place;
    /** Each shoot's machine controller: started before its Worker, stopped once its Worker is gone (as MCM). */
    const machineControllers = new Map<string, Supervisor>();
    const sims = await startSimulators({
      ...opts,
      crds: inputs.crds,
      shoots: inputs.technicalIds,
      dir: place.dir,
      seedKubeconfig: place.seedKubeconfig,
      seedPort: opts.port,
      metalTimings: opts.timings ?? timingsFor(opts.provisioningSeconds ?? DEFAULT_PROVISIONING_SECONDS),
      metalSeed: inputs.metalSeed,
      deployMachineControllerManager: async (s) => await machineControllers.get(s.technicalId)?.start(),
      destroyMachineControllerManager: async (s) => await machineControllers.get(s.technicalId)?.stop("graceful"),
    });
    parts.simulators = sims;
    const shoots = inputs.makeShoots({ apiToken: sims.metal.defaultToken, projectId: sims.metal.defaultProjectId });
    ensureCapacity(sims, shoots);
    await startComponents(sims, parts, opts, machineControllers);
    const observer = await startObserver(sims, parts, opts);
    startFaults(sims, parts, opts);
    return new Landscape({ opts, parts, dir: place.dir, simulators: sims, observer, crdNote: inputs.crdNote, shoots });
  } catch (e) {
    await stopParts(parts, opts.log);
    throw e;
  }
}

/** Starts a landscape, runs `fn` against it and always stops it; returns what `fn` returned and the outcome. */
export async function withLandscape<T>(
  opts: LandscapeOptions,
  fn: (landscape: Landscape) => Promise<T>,
): Promise<{ value: T; outcome: LandscapeOutcome }> {
  const landscape = await startLandscape(opts);
  let value: T;
  try {
    value = await fn(landscape);
  } catch (e) {
    await landscape.stop();
    throw e;
  }
  return { value, outcome: await landscape.stop() };
}
