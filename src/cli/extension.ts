/**
 * `provider-equinix-metal extension`: the Gardener extension controller (gardener-extension-provider-equinix-metal's
 * `provider-equinix-metal-controller-manager`). Flags and defaults are the Go provider's (upstream-extension.md §1);
 * Go-style booleans (`--leader-election=false`) and comma-separated lists are accepted. It runs a Manager with probes
 * and metrics, leader election gating the controllers, and graceful shutdown; the enabled controllers are
 * infrastructure, worker and heartbeat (controlplane and healthcheck are recognised names, not implemented yet).
 *
 * `startExtension` builds and starts the same thing in-process (the playground runs it next to the simulators).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { getLogger, type Logger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { type Clock, realClock, yieldToEventLoop } from "../runtime/clock.ts";
import { KubeClient } from "../k8s/client.ts";
import { type ClusterConnection, loadConnection } from "../k8s/kubeconfig.ts";
import { Manager, type StopReason } from "../k8s/manager.ts";
import { EventRecorder } from "../k8s/events.ts";
import {
  DEFAULTS,
  loadControllerConfiguration,
  type ResolvedControllerConfiguration,
} from "../apis/config/v1alpha1.ts";
import { EXTENSION_NAME, ExtensionClass } from "../apis/extensions/constants.ts";
import { DEFAULT_METAL_API_URL } from "../metal/client.ts";
import { newInfrastructureController } from "../extension/infrastructure/mod.ts";
import { newExtensionController } from "../extension/reconciler/mod.ts";
import { newWorkerController } from "../extension/worker/actuator.ts";
import { DEFAULT_RENEW_INTERVAL_SECONDS, Heartbeat } from "../extension/heartbeat/heartbeat.ts";
import { parseListenAddress } from "../observability/probes.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";

/** Controller names of `--controllers` / `--disable-controllers` (the Go provider's). */
export const CONTROLLER_NAMES = ["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];
/** Controllers this build implements; the others are accepted and reported as not available. */
export const IMPLEMENTED_CONTROLLERS: ReadonlySet<ControllerName> = new Set(["infrastructure", "worker", "heartbeat"]);
/** Webhook names of `--disable-webhooks` (`*` disables all). */
export const WEBHOOK_NAMES = ["controlplane", "seedprovider", "shoot"] as const;
export const DEFAULT_LEADER_ELECTION_ID = `${EXTENSION_NAME}-leader-election`;

/** Flag values as given on the command line (strings, as Go's pflag receives them). */
export interface RawExtensionFlags {
  gardenerVersion?: string;
  autonomousShootCluster?: string | boolean;
  kubeconfig?: string;
  master?: string;
  leaderElection?: string | boolean;
  leaderElectionId?: string;
  leaderElectionNamespace?: string;
  metricsBindAddress?: string;
  healthBindAddress?: string;
  webhookConfigServerHost?: string;
  webhookConfigServerPort?: string;
  webhookConfigCertDir?: string;
  controlplaneMaxConcurrentReconciles?: string;
  infrastructureMaxConcurrentReconciles?: string;
  workerMaxConcurrentReconciles?: string;
  healthcheckMaxConcurrentReconciles?: string;
  heartbeatNamespace?: string;
  heartbeatRenewIntervalSeconds?: string;
  controllers?: string[];
  disableControllers?: string[];
  configFile?: string;
  ignoreOperationAnnotation?: string | boolean;
  extensionClass?: string;
  disableWebhooks?: string[];
  webhookConfigMode?: string;
  webhookConfigUrl?: string;
  webhookConfigServicePort?: string;
  webhookConfigNamespace?: string;
  webhookConfigOwnerNamespace?: string;
  metalApiUrl?: string;
}

/** Everything the extension needs, resolved and validated. */
export interface ExtensionSettings {
  gardenerVersion?: string;
  kubeconfig?: string;
  master?: string;
  leaderElection?: { id: string; namespace?: string };
  /** Listen addresses of /healthz, /readyz and /metrics (each serves all three); empty: none. */
  probeAddresses: string[];
  concurrency: Record<"controlplane" | "infrastructure" | "worker" | "healthcheck", number>;
  heartbeat: { namespace?: string; renewIntervalSeconds: number };
  controllers: ControllerName[];
  configFile?: string;
  ignoreOperationAnnotation: boolean;
  extensionClass: string;
  metalApiUrl: string;
  /** Accepted for the webhook issues; not served yet. */
  webhooks: { disabled: string[]; mode: string; serverPort: number; namespace?: string };
}

function goBool(v: string | boolean | undefined, flag: string, fallback: boolean, errors: string[]): boolean {
  if (v === undefined) return fallback;
  if (typeof v === "boolean") return v;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  errors.push(`${flag}: invalid boolean ${JSON.stringify(v)}`);
  return fallback;
}

function int(v: string | undefined, flag: string, fallback: number, errors: string[], min = 1): number {
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v.trim())) {
    errors.push(`${flag}: invalid integer ${JSON.stringify(v)}`);
    return fallback;
  }
  const n = Number(v);
  if (n < min) errors.push(`${flag}: must be at least ${min}, got ${n}`);
  return n;
}

/** Splits repeated, comma-separated list flags (`--controllers a,b --controllers c`). */
function list(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

/** The enabled controllers: `--controllers` (default all) minus `--disable-controllers`; unknown names are errors. */
export function resolveControllers(
  enabled: readonly string[] | undefined,
  disabled: readonly string[] | undefined,
  errors: string[],
): ControllerName[] {
  const known = new Set<string>(CONTROLLER_NAMES);
  for (const [flag, names] of [["--controllers", enabled], ["--disable-controllers", disabled]] as const) {
    const unknown = (names ?? []).filter((n) => !known.has(n));
    if (unknown.length) {
      errors.push(`${flag}: unknown controller(s) ${unknown.join(", ")} (known: ${CONTROLLER_NAMES.join(", ")})`);
    }
  }
  const off = new Set(disabled ?? []);
  return CONTROLLER_NAMES.filter((n) => (enabled === undefined || enabled.includes(n)) && !off.has(n));
}

/** Resolves and validates the flags (environment as fallback); every problem names its flag. */
export function resolveExtensionFlags(
  raw: RawExtensionFlags,
  env: Record<string, string | undefined>,
): { settings?: ExtensionSettings; errors: string[] } {
  const errors: string[] = [];
  goBool(raw.autonomousShootCluster, "--autonomous-shoot-cluster", false, errors);
  const elect = goBool(raw.leaderElection, "--leader-election", true, errors);
  const leNamespace = raw.leaderElectionNamespace || env.LEADER_ELECTION_NAMESPACE || undefined;
  const probeAddresses: string[] = [];
  for (
    const [flag, value] of [
      ["--health-bind-address", raw.healthBindAddress ?? ":8081"],
      ["--metrics-bind-address", raw.metricsBindAddress ?? ":8080"],
    ] as const
  ) {
    if (value === "0") continue; // controller-runtime's "disabled"
    try {
      const { port } = parseListenAddress(value);
      // The same fixed address twice is one server; port 0 asks for two different ones.
      if (port === 0 || !probeAddresses.includes(value)) probeAddresses.push(value);
    } catch (e) {
      errors.push(`${flag}: ${(e as Error).message}`);
    }
  }
  const concurrency = {
    controlplane: int(raw.controlplaneMaxConcurrentReconciles, "--controlplane-max-concurrent-reconciles", 5, errors),
    infrastructure: int(
      raw.infrastructureMaxConcurrentReconciles,
      "--infrastructure-max-concurrent-reconciles",
      5,
      errors,
    ),
    worker: int(raw.workerMaxConcurrentReconciles, "--worker-max-concurrent-reconciles", 5, errors),
    healthcheck: int(raw.healthcheckMaxConcurrentReconciles, "--healthcheck-max-concurrent-reconciles", 1, errors),
  };
  const renew = int(
    raw.heartbeatRenewIntervalSeconds,
    "--heartbeat-renew-interval-seconds",
    DEFAULT_RENEW_INTERVAL_SECONDS,
    errors,
  );
  const controllers = resolveControllers(list(raw.controllers), list(raw.disableControllers), errors);
  const extensionClass = raw.extensionClass || ExtensionClass.Shoot;
  const classes = Object.values(ExtensionClass) as string[];
  if (!classes.includes(extensionClass)) {
    errors.push(
      `--extension-class: unsupported value ${JSON.stringify(extensionClass)} (one of ${classes.join(", ")})`,
    );
  }
  const disabledWebhooks = list(raw.disableWebhooks) ?? [];
  const unknownWebhooks = disabledWebhooks.filter((w) =>
    w !== "*" && !(WEBHOOK_NAMES as readonly string[]).includes(w)
  );
  if (unknownWebhooks.length) {
    errors.push(
      `--disable-webhooks: unknown webhook(s) ${unknownWebhooks.join(", ")} (known: ${WEBHOOK_NAMES.join(", ")}, *)`,
    );
  }
  const mode = raw.webhookConfigMode ?? "service";
  if (!["service", "url", "url-service"].includes(mode)) {
    errors.push(`--webhook-config-mode: unsupported value ${JSON.stringify(mode)} (one of service, url, url-service)`);
  }
  const serverPort = int(raw.webhookConfigServerPort, "--webhook-config-server-port", 443, errors, 0);
  if (raw.webhookConfigServicePort !== undefined) {
    int(raw.webhookConfigServicePort, "--webhook-config-service-port", serverPort, errors, 0);
  }
  const metalApiUrl = raw.metalApiUrl ?? DEFAULT_METAL_API_URL;
  try {
    const u = new URL(metalApiUrl);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    errors.push(`--metal-api-url: not an absolute http(s) URL: ${JSON.stringify(metalApiUrl)}`);
  }
  if (raw.master !== undefined) {
    try {
      new URL(raw.master);
    } catch {
      errors.push(`--master: not an absolute URL: ${JSON.stringify(raw.master)}`);
    }
  }
  const ignore = goBool(raw.ignoreOperationAnnotation, "--ignore-operation-annotation", false, errors);
  if (errors.length) return { errors };
  return {
    errors,
    settings: {
      gardenerVersion: raw.gardenerVersion,
      kubeconfig: raw.kubeconfig,
      master: raw.master,
      leaderElection: elect
        ? { id: raw.leaderElectionId || DEFAULT_LEADER_ELECTION_ID, namespace: leNamespace }
        : undefined,
      probeAddresses,
      concurrency,
      heartbeat: {
        namespace: raw.heartbeatNamespace || env.LEADER_ELECTION_NAMESPACE || undefined,
        renewIntervalSeconds: renew,
      },
      controllers,
      configFile: raw.configFile || undefined,
      ignoreOperationAnnotation: ignore,
      extensionClass,
      metalApiUrl,
      webhooks: {
        disabled: disabledWebhooks,
        mode,
        serverPort,
        namespace: raw.webhookConfigNamespace || env.WEBHOOK_CONFIG_NAMESPACE || undefined,
      },
    },
  };
}

/** How to start the extension in-process. */
export interface StartExtensionOptions {
  settings: ExtensionSettings;
  /** Connection to the seed (default: from `--kubeconfig`/`--master`, the config file, KUBECONFIG, in-cluster). */
  connection?: ClusterConnection;
  /** The component configuration (default: `--config-file`, else the defaults). */
  config?: ResolvedControllerConfiguration;
  /** Transport of the Metal API client (the playground passes the simulator's in-process fetch). */
  metalFetch?: typeof fetch;
  /** Leader-election identity (default: hostname + random). */
  identity?: string;
  gracefulShutdownMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** A started extension. */
export interface RunningExtension {
  readonly manager: Manager;
  readonly client: KubeClient;
  /** Probe/metrics URLs while running. */
  readonly probeUrls: string[];
  /** Resolves when the manager stopped, with why. */
  readonly done: Promise<StopReason | undefined>;
  /** Stops gracefully and waits. */
  stop(): Promise<StopReason | undefined>;
}

/** The config file, or the defaults when none is given (upstream required the flag; every field has a default). */
async function configOf(settings: ExtensionSettings): Promise<ResolvedControllerConfiguration> {
  if (settings.configFile) return await loadControllerConfiguration(settings.configFile);
  return {
    clientConnection: { ...DEFAULTS.clientConnection },
    etcd: { storage: {} },
    healthCheck: {
      syncPeriodMs: DEFAULTS.healthCheck.syncPeriodMs,
      shootRESTOptions: { ...DEFAULTS.healthCheck.shootRESTOptions },
    },
  };
}

async function connectionOf(settings: ExtensionSettings, config: ResolvedControllerConfiguration) {
  const path = settings.kubeconfig || config.clientConnection.kubeconfig || undefined;
  let conn: ClusterConnection;
  try {
    conn = await loadConnection({ path });
  } catch (e) {
    throw new Error(`--kubeconfig: ${e instanceof Error ? e.message : String(e)}`);
  }
  return settings.master ? { ...conn, server: settings.master.replace(/\/+$/, "") } : conn;
}

/** Builds the Manager with the enabled controllers and starts it; resolves once it runs. */
export async function startExtension(opts: StartExtensionOptions): Promise<RunningExtension> {
  const { settings } = opts;
  const log = opts.log ?? getLogger("extension");
  const clock = opts.clock ?? realClock;
  const config = opts.config ?? await configOf(settings);
  const connection = opts.connection ?? await connectionOf(settings, config);
  const client = new KubeClient(connection, {
    qps: config.clientConnection.qps,
    burst: config.clientConnection.burst,
    userAgent: `${PRODUCT}/${VERSION} extension`,
  });
  const leNamespace = settings.leaderElection?.namespace ?? connection.namespace;
  if (settings.leaderElection && !leNamespace) {
    client.close();
    throw new Error(
      "--leader-election-namespace: required with --leader-election (or set LEADER_ELECTION_NAMESPACE)",
    );
  }
  const manager = new Manager({
    client,
    probeAddresses: settings.probeAddresses,
    leaderElection: settings.leaderElection
      ? { namespace: leNamespace!, name: settings.leaderElection.id, identity: opts.identity }
      : undefined,
    gracefulShutdownMs: opts.gracefulShutdownMs,
    clock,
    log: log.child("manager"),
  });
  const recorder = new EventRecorder(client, { component: EXTENSION_NAME, clock, log: log.child("events") });
  const common = {
    client,
    informers: manager.informers,
    extensionClasses: [settings.extensionClass],
    ignoreOperationAnnotation: settings.ignoreOperationAnnotation,
    recorder,
    clock,
  };
  const enabled = new Set(settings.controllers);
  for (const name of settings.controllers) {
    if (!IMPLEMENTED_CONTROLLERS.has(name)) log.info("Controller not available in this version; skipped", { name });
  }
  if (enabled.has("infrastructure")) {
    manager.add(newInfrastructureController({
      ...common,
      concurrency: settings.concurrency.infrastructure,
      log: log.child("infrastructure"),
      actuator: { metalApiUrl: settings.metalApiUrl, metalFetch: opts.metalFetch, log: log.child("infrastructure") },
    }));
  }
  if (enabled.has("worker")) {
    // The Worker controller's parts (src/extension/worker) on the generic reconciler.
    manager.add(newExtensionController({
      ...common,
      ...newWorkerController(),
      concurrency: settings.concurrency.worker,
      log: log.child("worker"),
    }));
  }
  if (enabled.has("heartbeat")) {
    const namespace = settings.heartbeat.namespace ?? leNamespace;
    if (!namespace) {
      client.close();
      throw new Error(
        "--heartbeat-namespace: required for the heartbeat controller (or set LEADER_ELECTION_NAMESPACE)",
      );
    }
    manager.add(
      new Heartbeat({
        client,
        namespace,
        renewIntervalSeconds: settings.heartbeat.renewIntervalSeconds,
        clock,
        log: log.child("heartbeat"),
      }),
    );
  }

  const stop = new AbortController();
  log.info("Starting the extension", {
    version: VERSION,
    gardenerVersion: settings.gardenerVersion,
    controllers: settings.controllers.filter((c) => IMPLEMENTED_CONTROLLERS.has(c)),
    leaderElection: settings.leaderElection ? `${leNamespace}/${settings.leaderElection.id}` : false,
    metalApiUrl: settings.metalApiUrl,
  });
  const done = manager.start(stop.signal).then(() => manager.stopReason).finally(async () => {
    await recorder.flush();
    client.close();
  });
  // Resolve once the probe server listens (the manager starts it first), or once starting failed.
  let settled = false;
  done.then(() => (settled = true), () => (settled = true));
  while (!settled && manager.probeUrls.length < settings.probeAddresses.length) await yieldToEventLoop();
  return {
    manager,
    client,
    get probeUrls() {
      return manager.probeUrls;
    },
    done,
    stop: async () => {
      stop.abort(new DOMException("extension stopped", "AbortError"));
      return await done;
    },
  };
}

/** Runs the extension until the signal aborts; returns why it stopped. */
export async function runExtension(
  opts: StartExtensionOptions,
  signal: AbortSignal,
): Promise<StopReason | undefined> {
  const ext = await startExtension(opts);
  await Promise.race([aborted(signal), ext.done.then(() => {}, () => {})]);
  return await ext.stop();
}

const flag = (name: string, description: string) => new Option(`--${name} <value>`, description);
const boolFlag = (name: string, description: string) => new Option(`--${name} [bool]`, description);
const listFlag = (name: string, description: string) =>
  new Option(`--${name} <names>`, description).argParser((v: string, prev?: string[]) => [...(prev ?? []), v]);

/** Builds the `extension` subcommand. */
export function extensionCommand() {
  return new Command("extension")
    .description("run the Gardener extension controllers for Equinix Metal (infrastructure, worker, heartbeat)")
    .addOption(flag("gardener-version", "version of the Gardener that deploys the extension"))
    .addOption(boolFlag("autonomous-shoot-cluster", "accepted for the webhook issues (default false)"))
    .addOption(flag("kubeconfig", "kubeconfig of the seed (default: KUBECONFIG, ~/.kube/config, in-cluster)"))
    .addOption(flag("master", "URL of the seed's API server (overrides the kubeconfig)"))
    .addOption(boolFlag("leader-election", "run the controllers only while holding the leader lease (default true)"))
    .addOption(flag("leader-election-id", `lease name (default ${DEFAULT_LEADER_ELECTION_ID})`))
    .addOption(flag("leader-election-namespace", "lease namespace (default $LEADER_ELECTION_NAMESPACE)"))
    .addOption(flag("metrics-bind-address", "address of /metrics (default :8080; 0 disables)"))
    .addOption(flag("health-bind-address", "address of /healthz and /readyz (default :8081; 0 disables)"))
    .addOption(flag("webhook-config-server-host", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-server-port", "accepted for the webhook issues (default 443)"))
    .addOption(flag("webhook-config-cert-dir", "accepted for the webhook issues"))
    .addOption(flag("controlplane-max-concurrent-reconciles", "parallel ControlPlane reconciles (default 5)"))
    .addOption(flag("infrastructure-max-concurrent-reconciles", "parallel Infrastructure reconciles (default 5)"))
    .addOption(flag("worker-max-concurrent-reconciles", "parallel Worker reconciles (default 5)"))
    .addOption(flag("healthcheck-max-concurrent-reconciles", "parallel health checks (default 1)"))
    .addOption(flag("heartbeat-namespace", "namespace of the heartbeat lease (default $LEADER_ELECTION_NAMESPACE)"))
    .addOption(flag("heartbeat-renew-interval-seconds", "heartbeat renew interval, > 0 (default 30)"))
    .addOption(listFlag("controllers", `controllers to run (default all: ${CONTROLLER_NAMES.join(", ")})`))
    .addOption(listFlag("disable-controllers", "controllers not to run"))
    .addOption(flag("config-file", "ControllerConfiguration file (default: built-in defaults)"))
    .addOption(boolFlag("ignore-operation-annotation", "react to spec/Cluster changes, not gardenlet (default false)"))
    .addOption(flag("extension-class", "extension class to handle: shoot, seed or garden (default shoot)"))
    .addOption(listFlag("disable-webhooks", `accepted for the webhook issues (${WEBHOOK_NAMES.join(", ")}, *)`))
    .addOption(flag("webhook-config-mode", "accepted for the webhook issues (service, url, url-service)"))
    .addOption(flag("webhook-config-url", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-service-port", "accepted for the webhook issues"))
    .addOption(flag("webhook-config-namespace", "accepted for the webhook issues (default $WEBHOOK_CONFIG_NAMESPACE)"))
    .addOption(flag("webhook-config-owner-namespace", "accepted for the webhook issues"))
    .addOption(flag("metal-api-url", `Equinix Metal API base URL (default ${DEFAULT_METAL_API_URL})`))
    .action(async (opts, cmd) => {
      const { settings, errors } = resolveExtensionFlags(opts as RawExtensionFlags, Deno.env.toObject());
      if (!settings) cmd.error(`error: invalid flags:\n  ${errors.join("\n  ")}`, { exitCode: 2 });
      const log = getLogger("extension");
      const signal = shutdownSignal(log);
      let reason: StopReason | undefined;
      try {
        reason = await runExtension({ settings: settings!, log }, signal);
      } catch (e) {
        cmd.error(`error: ${e instanceof Error ? e.message : String(e)}`, { exitCode: 1 });
      }
      if (reason === "leadership-lost") {
        log.error("Leader election lost; exiting");
        Deno.exitCode = 1;
      }
    });
}
