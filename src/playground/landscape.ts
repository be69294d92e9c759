/**
 * A landscape to run the scenario against, on one clock: the simulators (`simulators.ts`), our components among them
 * (the extension and one machine controller per shoot, supervised), an observer of the seed and, if asked for, fault
 * injection. Its phases — create, steady state, rolling update, hibernation, migration, delete — return typed reports;
 * `stop()` stops everything in reverse order and reports the faults injected and the restarts. The playground renders
 * the reports as text; the end-to-end tests assert on them.
 */
import type { KubeObject } from "../k8s/api/objects.ts";
import { AdmissionregistrationV1 } from "../k8s/api/resources.ts";
import { getLogger, type Logger } from "../observability/log.ts";
import type { Clock } from "../runtime/clock.ts";
import { isWriteVerb } from "../sim/apiserver/mod.ts";
import {
  type CloudProfileManifest,
  generatePools,
  isRetryableWriteError,
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
  freePort,
  type ProcessUsage,
  readProcessUsage,
  startExtensionInProcess,
  Supervisor,
} from "./components.ts";
import { resolveCrds } from "./crds.ts";
import { FaultInjection, type FaultStats } from "./faults.ts";
import { type MachineControllerHooks, machineControllersFromSidecars } from "./machine_controllers.ts";
import type { SidecarRun } from "./sidecar.ts";
import { readManifestDir } from "./manifests.ts";
import { admitInGarden } from "./garden.ts";
import { SeedObserver } from "./observer.ts";
import { type ClusterAuthorization, kubeconfigWithToken, PlaygroundRbac } from "./rbac.ts";
import { DEFAULT_PROVISIONING_SECONDS, type PlaygroundOptions, timingsFor, validateOptions } from "./options.ts";
import { computeProgress, type ProgressSnapshot } from "./progress.ts";
import {
  createPhase,
  type CreateReport,
  deletePhase,
  type DeleteReport,
  deviceLossPhase,
  type DeviceLossReport,
  hibernationPhase,
  type HibernationReport,
  migrationPhase,
  type MigrationReport,
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
  type SimulatorsOptions,
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
  /** Edits each object our ManagedResources carry into a shoot (tests take a permission from the CCM's role). */
  shootObjectEdit?: (obj: KubeObject) => KubeObject;
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
  const shoots = [];
  for (const file of files) {
    shoots.push({ file, shoot: parseShootManifest(await readText(file, "Shoot manifest"), file) });
  }
  // As a user's kubectl would: the garden's admission sees the shoots before gardenlet derives anything from them.
  const profileObject =
    (profile ?? (base.cluster as unknown as { spec: { cloudProfile: unknown } }).spec.cloudProfile) as KubeObject;
  await admitInGarden(
    { object: profileObject, file: profileFile ?? "the example CloudProfile" },
    shoots.map(({ file, shoot }) => ({ file, shoot: shoot as unknown as KubeObject })),
  );
  for (const { file, shoot } of shoots) {
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

/** The extension's supervisor, in-process or as a CLI subprocess. */
function superviseExtension(
  sims: Simulators,
  ctx: ComponentContext,
  opts: Opts,
  dir: string,
  rbac: PlaygroundRbac | undefined,
): Supervisor {
  const { clock, log } = ctx;
  const webhooks = {
    webhooks: { port: freePort(), certDir: `${dir}/webhook-certs`, disabled: opts.disableWebhooks ?? [] },
  };
  return new Supervisor(
    "extension",
    async (gen) => {
      // Each start runs on a fresh token of the extension's ServiceAccount (the admin's without RBAC).
      const token = await rbac?.extensionToken(sims.seed, EXTENSION_NAMESPACE);
      return opts.components === "subprocess"
        ? extensionSubprocess(ctx, {
          kubeconfig: await kubeconfigWithToken(sims.seed, `${dir}/extension.kubeconfig`, token, sims.seedKubeconfig),
          namespace: EXTENSION_NAMESPACE,
          ...webhooks,
        })
        : startExtensionInProcess({ ...ctx, log: log.child("extension") }, {
          connection: sims.seed.connection(token),
          namespace: EXTENSION_NAMESPACE,
          identity: `playground-extension-${gen}`,
          ...webhooks,
        });
    },
    clock,
    log,
  );
}

/** What a landscape holds while it starts (parts still missing when start-up failed). */
interface Parts {
  dir?: { dir: string; own: boolean };
  simulators?: Simulators;
  supervisors: Supervisor[];
  observer?: SeedObserver;
  observing: AbortController;
  faults?: FaultInjection;
  /** Per shoot namespace, the sidecar its machine controller runs as (set where gardenlet deploys MCM). */
  sidecarRuns: Map<string, SidecarRun>;
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
      gardenKubeconfig: sims.gardenKubeconfig,
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
    let simWrites = 0;
    for (const n of sims.nodes.values()) simWrites += n.stats.writes;
    for (const k of sims.kubelets) simWrites += k.stats.writes;
    simWrites += sims.resourceManager.stats.writes;
    return {
      at: this.started.opts.clock.now(),
      metal: sims.metal.counters.snapshot(),
      metalListings: sims.metal.unfilteredDeviceListings.snapshot(),
      api,
      simulationWrites: sims.gardenlet.stats.writes + sims.machineDeployments.stats.writes + simWrites,
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
      shootConditions: sims.gardenlet.shootConditionSummary(),
      webhooks: {
        disabled: this.started.opts.disableWebhooks ?? [],
        configurations: observer.webhookConfigurations.list(),
        deployments: observer.controlPlane.list(),
      },
    });
  }

  /** Per shoot namespace, the sidecar (from the seed's machine-controller-manager) its machine controller runs as. */
  sidecarRuns(): ReadonlyMap<string, SidecarRun> {
    return this.started.parts.sidecarRuns;
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

  /** Hibernates every shoot, checks nothing runs, wakes them up again (`hibernationPhase`). */
  hibernate(): Promise<HibernationReport> {
    return hibernationPhase(this.scenario);
  }

  /** Migrates every shoot's control plane and restores it; the same devices before and after (`migrationPhase`). */
  migrate(): Promise<MigrationReport> {
    return migrationPhase(this.scenario);
  }

  /** Deletes one device per shoot out of band and waits until its machine is replaced (`deviceLossPhase`). */
  loseDevices(): Promise<DeviceLossReport> {
    return deviceLossPhase(this.scenario);
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

/** What every component of the landscape is started with. */
function componentContext(sims: Simulators, opts: Opts): ComponentContext {
  return {
    clock: opts.clock,
    log: opts.log,
    metalUrl: sims.metalUrl,
    gracefulShutdownMs: opts.gracefulShutdownMs ?? 10_000,
  };
}

/** How long the landscape waits for the extension to register its controlplane webhook (clock time). */
export const REGISTRATION_WAIT_MS = 60_000;

/** True unless `--disable-webhooks` names the controlplane webhook (or all). */
function controlPlaneWebhookEnabled(opts: Opts): boolean {
  return !(opts.disableWebhooks ?? []).some((w) => w === "*" || w === "controlplane");
}

/**
 * The extension, supervised; resolves once it has started and, unless its controlplane webhook is disabled, has
 * registered it in the seed (as gardenlet's flow runs only once the extension is installed and ready).
 */
async function startExtension(sims: Simulators, parts: Parts, opts: Opts): Promise<void> {
  const extension = superviseExtension(sims, componentContext(sims, opts), opts, parts.dir!.dir, parts.rbac);
  parts.supervisors.push(extension);
  await extension.start();
  if (!controlPlaneWebhookEnabled(opts)) return;
  const deadline = opts.clock.now() + REGISTRATION_WAIT_MS;
  for (;;) {
    const configs = await sims.seedClient.list(AdmissionregistrationV1.mutatingWebhookConfigurations).catch((e) => {
      if (isRetryableWriteError(e)) return { items: [] };
      throw e;
    });
    const registered = configs.items.some((c) =>
      ((c as { webhooks?: Array<{ name?: string }> }).webhooks ?? []).some((w) => w.name?.startsWith("controlplane."))
    );
    if (registered) return;
    if (opts.clock.now() >= deadline) {
      throw new Error(
        `the extension registered no controlplane webhook in the seed within ${REGISTRATION_WAIT_MS / 1000} s`,
      );
    }
    await opts.clock.sleep(500, opts.signal);
  }
}

/** Each shoot's machine controller, started from its sidecar where gardenlet deploys machine-controller-manager. */
function machineControllerHooks(parts: Parts, opts: Opts): MachineControllerHooks {
  return machineControllersFromSidecars({
    simulators: () => parts.simulators!,
    context: () => componentContext(parts.simulators!, opts),
    components: opts.components ?? "in-process",
    runs: parts.sidecarRuns,
    rbac: parts.rbac,
    supervised: (s) => parts.supervisors.push(s),
    clock: opts.clock,
    signal: opts.signal,
  });
}

/**
 * Each shoot's cloud-controller-manager on its ServiceAccount's token, under the RBAC our ControlPlane's
 * ManagedResource applied to the shoot, which the report takes as applied.
 */
function shootRbacWiring(parts: Parts, opts: Opts): Pick<SimulatorsOptions, "ccmConnection" | "resourceManager"> {
  const rbac = parts.rbac;
  const edit = opts.shootObjectEdit;
  return {
    ccmConnection: rbac && ((shoot) => ({ ...shoot.api.connection(), token: rbac.ccmToken(shoot.api) })),
    resourceManager: {
      edit: edit && ((o, mr) => mr.spec.class === "seed" ? o : edit(o)),
      onApplied: (mr, objects) => {
        const shoot = parts.simulators?.shoots.get(mr.metadata.namespace ?? "");
        if (mr.spec.class !== "seed" && shoot) rbac?.recordApplied(`shoot ${shoot.technicalId}`, shoot.api, objects);
      },
    },
  };
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
    sidecarRuns: new Map(),
    rbac: options.rbac === false ? undefined : new PlaygroundRbac(options.extensionRbac),
  };
  try {
    const place = await kubeconfigDir(opts);
    parts.dir = place;
    const sims = await startSimulators({
      ...opts,
      crds: inputs.crds,
      shoots: inputs.technicalIds,
      dir: place.dir,
      seedKubeconfig: place.seedKubeconfig,
      seedPort: opts.port,
      metalTimings: opts.timings ?? timingsFor(opts.provisioningSeconds ?? DEFAULT_PROVISIONING_SECONDS),
      metalSeed: inputs.metalSeed,
      ...machineControllerHooks(parts, opts),
      ...shootRbacWiring(parts, opts),
    });
    parts.simulators = sims;
    const shoots = inputs.makeShoots({ apiToken: sims.metal.defaultToken, projectId: sims.metal.defaultProjectId });
    ensureCapacity(sims, shoots);
    await startExtension(sims, parts, opts);
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
