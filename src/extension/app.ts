/**
 * The extension as a running component: a Manager with probes, leader election gating the controllers of the
 * enabled kinds (the kind table, controllers.ts) and graceful shutdown. `provider-equinix-metal extension` runs it; the
 * playground starts it in-process next to the simulators.
 */
import { getLogger, type Logger } from "../observability/log.ts";
import { aborted } from "../runtime/shutdown.ts";
import { revokePermission } from "../runtime/permissions.ts";
import { type Clock, realClock, yieldToEventLoop } from "../runtime/clock.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { type ClusterConnection, loadConnection } from "../k8s/client/kubeconfig.ts";
import { leaderElectionOf, leaseText, Manager, type StopReason } from "../k8s/controller/manager.ts";
import { EventRecorder } from "../k8s/controller/events.ts";
import {
  DEFAULTS,
  loadControllerConfiguration,
  type ResolvedControllerConfiguration,
} from "../apis/config/v1alpha1.ts";
import { EXTENSION_NAME, EXTENSION_TYPE } from "../apis/extensions/constants.ts";
import { publishShootWebhooks } from "./genericcontrolplane/mod.ts";
import { addControllers } from "./reconciler/mod.ts";
import { CONTROLLER_KINDS } from "./controllers.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";
import type { ExtensionOptions } from "./options.ts";
import type { Webhook } from "./webhook/webhook.ts";
import { equinixMetalWebhooks } from "./controlplanewebhook/mod.ts";
import { IMAGEVECTOR_OVERWRITE_ENV, loadImageVector } from "./imagevector/mod.ts";
import { type AddedWebhooks, addWebhooks, enabledWebhooks } from "./webhook/add.ts";

/** How to start the extension in-process. */
export interface StartExtensionOptions {
  options: ExtensionOptions;
  /** Connection to the seed (default: from `--kubeconfig`/`--master`, the config file, KUBECONFIG, in-cluster). */
  connection?: ClusterConnection;
  /** The component configuration (default: `--config-file`, else the defaults). */
  config?: ResolvedControllerConfiguration;
  /** Transport of the Metal API client (the playground passes the simulator's in-process fetch). */
  metalFetch?: typeof fetch;
  /** The webhooks to serve (default: `extensionWebhooks`); `--disable-webhooks` still applies. */
  webhooks?: Webhook[];
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
  /** The seed connection the client uses. */
  readonly connection: ClusterConnection;
  /** Probe/metrics URLs while running. */
  readonly probeUrls: string[];
  /** The webhook server and registration; undefined when no webhook is enabled. */
  readonly webhooks?: AddedWebhooks;
  /** Resolves when the manager stopped, with why. */
  readonly done: Promise<StopReason | undefined>;
  /** Stops gracefully and waits. */
  stop(): Promise<StopReason | undefined>;
}

/** The config file, or the defaults when none is given (upstream required the flag; every field has a default). */
async function configOf(options: ExtensionOptions): Promise<ResolvedControllerConfiguration> {
  if (options.configFile) return await loadControllerConfiguration(options.configFile);
  return {
    clientConnection: { ...DEFAULTS.clientConnection },
    etcd: { storage: {} },
    healthCheck: {
      syncPeriodMs: DEFAULTS.healthCheck.syncPeriodMs,
      shootRESTOptions: { ...DEFAULTS.healthCheck.shootRESTOptions },
    },
  };
}

async function connectionOf(options: ExtensionOptions, config: ResolvedControllerConfiguration) {
  const path = options.kubeconfig || config.clientConnection.kubeconfig || undefined;
  let conn: ClusterConnection;
  try {
    conn = await loadConnection({ path });
  } catch (e) {
    throw new Error(`--kubeconfig: ${e instanceof Error ? e.message : String(e)}`);
  }
  return options.master ? { ...conn, server: options.master.replace(/\/+$/, "") } : conn;
}

/** The webhooks this build serves: the Equinix Metal controlplane and seedprovider webhooks. */
export function extensionWebhooks(config: ResolvedControllerConfiguration): Webhook[] {
  return equinixMetalWebhooks({
    images: loadImageVector(Deno.env.get(IMAGEVECTOR_OVERWRITE_ENV)),
    etcdStorage: config.etcd.storage,
  });
}

/**
 * Adds the webhook server (every replica) and the certificates and seed registration (leader) for the enabled ones
 * of `webhooks`; undefined when none is enabled.
 */
export function addExtensionWebhooks(
  manager: Manager,
  webhooks: Webhook[],
  args: { options: ExtensionOptions; client: KubeClient; clock: Clock; log: Logger },
): AddedWebhooks | undefined {
  const settings = args.options.webhooks;
  let enabled = enabledWebhooks(webhooks, settings.disabled);
  if (enabled.length === 0) return undefined;
  // A self-hosted shoot has no separate shoot configuration: its webhooks join the seed's (as upstream).
  if (settings.selfHostedShootCluster) enabled = enabled.map((w) => ({ ...w, target: "seed" as const }));
  if (settings.mode !== "url" && !settings.namespace) {
    throw new Error(
      `--webhook-config-namespace: required with --webhook-config-mode=${settings.mode} (or set WEBHOOK_CONFIG_NAMESPACE)`,
    );
  }
  const log = args.log.child("webhook");
  const added = addWebhooks(manager, {
    webhooks: enabled,
    settings,
    client: args.client,
    extensionName: EXTENSION_NAME,
    clock: args.clock,
    log,
  });
  // Each new bundle also goes into every shoot's webhook configuration (the ControlPlane controller's MR) before it
  // counts as published; the ControlPlane controller writes it with the current bundle on each reconcile.
  if (added.hasShootWebhooks && args.options.controllers.includes("controlplane")) {
    added.onBundle(async (bundle, signal) => {
      await publishShootWebhooks(args.client, log, EXTENSION_TYPE, added.shootConfiguration(bundle)!, signal);
    });
  }
  return added;
}

/** Builds the Manager with the enabled controllers and starts it; resolves once it runs. */
export async function startExtension(opts: StartExtensionOptions): Promise<RunningExtension> {
  const { options } = opts;
  const log = opts.log ?? getLogger("extension");
  const clock = opts.clock ?? realClock;
  const config = opts.config ?? await configOf(options);
  const connection = opts.connection ?? await connectionOf(options, config);
  const leaderElection = leaderElectionOf(options.leaderElection, connection.namespace, opts.identity);
  const client = new KubeClient(connection, {
    qps: config.clientConnection.qps,
    burst: config.clientConnection.burst,
    userAgent: `${PRODUCT}/${VERSION} extension`,
  });
  const manager = new Manager({
    client,
    probeAddresses: options.probeAddresses,
    leaderElection,
    gracefulShutdownMs: opts.gracefulShutdownMs,
    clock,
    log: log.child("manager"),
  });
  const recorder = new EventRecorder(client, { component: EXTENSION_NAME, clock, log: log.child("events") });
  const shared = {
    client,
    extensionClasses: options.extensionClasses,
    ignoreOperationAnnotation: options.ignoreOperationAnnotation,
    recorder,
    clock,
    log,
  };
  let added: string[];
  let webhooks: AddedWebhooks | undefined;
  try {
    webhooks = addExtensionWebhooks(manager, opts.webhooks ?? extensionWebhooks(config), {
      options,
      client,
      clock,
      log,
    });
    const served = webhooks;
    const inputs = {
      options,
      config,
      ownNamespace: leaderElection?.namespace ?? connection.namespace,
      metalFetch: opts.metalFetch,
      shootWebhookConfig: served?.hasShootWebhooks ? () => served.shootConfiguration() : undefined,
    };
    const result = addControllers(manager, CONTROLLER_KINDS, options.controllers, shared, inputs);
    for (const name of result.unavailable) log.info("Controller not available in this version; skipped", { name });
    added = result.added;
  } catch (e) {
    client.close();
    throw e;
  }

  const stop = new AbortController();
  log.info("Starting the extension", {
    version: VERSION,
    gardenerVersion: options.gardenerVersion,
    controllers: added,
    webhooks: webhooks ? `${options.webhooks.host || "*"}:${options.webhooks.port}` : false,
    leaderElection: leaseText(leaderElection),
    metalApiUrl: options.metalApiUrl,
  });
  const done = manager.start(stop.signal).then(() => manager.stopReason).finally(async () => {
    await recorder.flush();
    client.close();
  });
  // Resolve once the probe server listens (the manager starts it first), or once starting failed.
  let settled = false;
  done.then(() => (settled = true), () => (settled = true));
  while (!settled && manager.probeUrls.length < options.probeAddresses.length) await yieldToEventLoop();
  return {
    manager,
    client,
    connection,
    get probeUrls() {
      return manager.probeUrls;
    },
    webhooks,
    done,
    stop: async () => {
      stop.abort(new DOMException("extension stopped", "AbortError"));
      return await done;
    },
  };
}

/**
 * Runs the extension until the signal aborts; returns why it stopped. Once started, the process gives up running
 * programs unless its kubeconfig's credentials come from an exec plugin, and writing files unless it serves webhooks
 * with a cert dir.
 */
export async function runExtension(
  opts: StartExtensionOptions,
  signal: AbortSignal,
): Promise<StopReason | undefined> {
  const ext = await startExtension(opts);
  if (!ext.connection.execPlugin) revokePermission("run");
  // Files are written only into the webhook cert dir, and only while webhooks are served.
  if (!ext.webhooks || !opts.options.webhooks.certDir) revokePermission("write");
  await Promise.race([aborted(signal), ext.done.then(() => {}, () => {})]);
  return await ext.stop();
}
