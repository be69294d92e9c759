/**
 * The admission as a running component: the HTTPS webhook server (every replica serves), a Manager with probes and
 * metrics, and, as leader, the registration of the ValidatingWebhookConfiguration in the garden. Reads of the garden
 * are uncached (`KubeClient.get`): a binding created right after its secret must see it. `provider-equinix-metal
 * admission` runs it; tests start it in-process.
 */
import { getLogger, type Logger } from "../observability/log.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { type ClusterConnection, loadConnection } from "../k8s/client/kubeconfig.ts";
import { undefinedIfNotFound } from "../k8s/api/errors.ts";
import { CoreGardenerV1beta1, type ResourceType } from "../k8s/api/resources.ts";
import type { InformerFactory } from "../k8s/cache/informer.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { leaderElectionOf, leaseText, Manager, type StopReason } from "../k8s/controller/manager.ts";
import { type Clock, realClock, yieldToEventLoop } from "../runtime/clock.ts";
import { aborted } from "../runtime/shutdown.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";
import { equinixValidator, type GardenReader } from "./handler.ts";
import type { AdmissionOptions } from "./options.ts";
import {
  applyWebhookConfiguration,
  VALIDATE_PATH,
  WEBHOOK_CONFIGURATION_NAME,
  type WebhookClient,
  webhookConfiguration,
} from "./registration.ts";

/** How often every replica looks for a renewed serving certificate. */
const RELOAD_INTERVAL_MS = 60_000;
/** How often the leader checks the certificates for rotation. */
const RECONCILE_INTERVAL_MS = 10 * 60_000;
import { firstServingPair, type ServingPair, startWebhookServer, type WebhookServer } from "../k8s/webhook/server.ts";
import { WebhookCertificates } from "../k8s/webhook/certificates_reconcile.ts";
import { certificateRotation } from "../k8s/webhook/certificates_rotation.ts";
import { parseIp } from "../runtime/ip_address.ts";
import { parseListenAddress } from "../observability/listen_address.ts";
import { MAX_REVIEW_BYTES, type ValidatingHandler, validatingRoute } from "./review.ts";

/** How to start the admission in-process. */
export interface StartAdmissionOptions {
  options: AdmissionOptions;
  /** The garden (default: `--kubeconfig`/GARDEN_KUBECONFIG, KUBECONFIG, ~/.kube/config, in-cluster). */
  connection?: ClusterConnection;
  /**
   * Serving certificate and the CA bundle the garden trusts (default: read from `--webhook-config-cert-dir`; without
   * one, managed: Secrets in the garden, rotated).
   */
  tls?: ServingPair & { caPem: string };
  identity?: string;
  clock?: Clock;
  log?: Logger;
}

/** A started admission. */
export interface RunningAdmission {
  /** `https://host:port` of the webhook server. */
  readonly url: string;
  readonly probeUrls: string[];
  /** Resolves once the webhook configuration is written (at once when registration is off). */
  readonly registered: Promise<void>;
  readonly done: Promise<StopReason | undefined>;
  stop(): Promise<StopReason | undefined>;
}

/** Reads `tls.crt`, `tls.key` and `ca.crt` (the certificate itself when absent) from the certificate directory. */
export async function readCertDir(dir: string): Promise<ServingPair & { caPem: string }> {
  const read = async (name: string) => {
    try {
      return await Deno.readTextFile(`${dir}/${name}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw new Error(`--webhook-config-cert-dir: cannot read ${name}: ${e instanceof Error ? e.message : e}`);
    }
  };
  const [certPem, keyPem, caPem] = await Promise.all([read("tls.crt"), read("tls.key"), read("ca.crt")]);
  if (!certPem || !keyPem) throw new Error(`--webhook-config-cert-dir: ${dir} must hold tls.crt and tls.key`);
  return { certPem, keyPem, caPem: caPem ?? certPem };
}

/** Uncached reads through the client; NotFound is undefined. */
export function clientReader(client: KubeClient): GardenReader {
  return {
    async get(resource, name, namespace, signal) {
      return await undefinedIfNotFound(client.get<KubeObject>(resource, name, { namespace, signal }));
    },
  };
}

/**
 * Profiles from the manager's informers (many Shoots share few profiles, and a review must not cost a request to the
 * garden), falling back to an uncached read before the caches synced or for a profile created a moment ago; every
 * other kind (secrets above all) is read uncached.
 */
export function cachingReader(informers: InformerFactory, uncached: GardenReader): GardenReader {
  const cached: readonly ResourceType[] = [
    CoreGardenerV1beta1.cloudProfiles,
    CoreGardenerV1beta1.namespacedCloudProfiles,
  ];
  for (const res of cached) informers.informer(res);
  return {
    async get(resource, name, namespace, signal) {
      if (cached.includes(resource)) {
        const informer = informers.informer(resource);
        const hit = informer.hasSynced() ? informer.get({ name, namespace }) : undefined;
        if (hit) return hit;
      }
      return await uncached.get(resource, name, namespace, signal);
    },
  };
}

/** Names the serving certificate must carry for the garden to reach the admission. */
export function servingNames(client: WebhookClient): { dnsNames: string[]; ipAddresses: string[] } {
  if (client.mode === "service") {
    const base = `${client.name}.${client.namespace}`;
    return { dnsNames: [client.name, base, `${base}.svc`, `${base}.svc.cluster.local`], ipAddresses: [] };
  }
  const host = new URL(client.url).hostname;
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  return parseIp(bare) ? { dnsNames: [], ipAddresses: [bare] } : { dnsNames: [bare], ipAddresses: [] };
}

/** The webhook server as a runnable of every replica: waits for a serving certificate, serves, picks up renewals. */
class ServerRunnable {
  private server?: WebhookServer;
  private readonly listening = Promise.withResolvers<string>();

  constructor(
    private readonly args: {
      address: string;
      handler: ValidatingHandler;
      pairNow: (signal: AbortSignal) => Promise<ServingPair | undefined>;
      /** Whether the certificate can change (managed certificates). */
      renewals: boolean;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** True while serving. */
  get serving(): boolean {
    return this.server !== undefined;
  }

  /** `https://host:port` once serving. */
  get url(): Promise<string> {
    return this.listening.promise;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { pairNow, clock, log } = this.args;
    const pair = await firstServingPair(pairNow, { clock, log, signal });
    if (!pair) return;
    const { hostname, port } = parseListenAddress(this.args.address);
    const server = await startWebhookServer({
      host: hostname,
      port,
      routes: [validatingRoute(WEBHOOK_CONFIGURATION_NAME, VALIDATE_PATH, this.args.handler)],
      certificate: pair,
      maxBodyBytes: MAX_REVIEW_BYTES,
      log: log.child("server"),
    });
    this.server = server;
    const host = !hostname || hostname === "0.0.0.0"
      ? "127.0.0.1"
      : hostname.includes(":")
      ? `[${hostname}]`
      : hostname;
    this.listening.resolve(`https://${host}:${server.port}`);
    try {
      while (!signal.aborted && this.args.renewals) {
        await clock.sleep(RELOAD_INTERVAL_MS, signal).catch(() => {});
        if (signal.aborted) break;
        const next = await pairNow(signal).catch(() => undefined);
        if (next && next.certPem !== server.certificate.certPem) {
          server.setCertificate(next);
          log.info("Serving a renewed certificate");
        }
      }
      await aborted(signal);
    } finally {
      this.server = undefined;
      await server.shutdown();
    }
  }
}

/**
 * The leader's work: the ValidatingWebhookConfiguration (with the static CA, or each new bundle of the managed
 * certificates before the server switches to it) and the rotation of managed certificates.
 */
function addLeaderWork(
  manager: Manager,
  a: {
    options: AdmissionOptions;
    client: KubeClient;
    tls?: ServingPair & { caPem: string };
    certificates?: WebhookCertificates;
    registered: PromiseWithResolvers<void>;
    clock: Clock;
    log: Logger;
  },
): void {
  const { options, client, tls, certificates, clock, log } = a;
  if (options.registerWebhooks) {
    const register = async (caPem: string, signal: AbortSignal) => {
      const config = webhookConfiguration(options.webhookClient, caPem);
      await applyWebhookConfiguration(client, config, signal);
      a.registered.resolve();
      log.info("Registered the ValidatingWebhookConfiguration", {
        name: config.metadata.name,
        mode: options.webhookClient.mode,
      });
    };
    if (tls) {
      manager.add({
        async start(signal) {
          await register(tls.caPem, signal);
          await aborted(signal);
        },
      }, { needLeaderElection: true });
    } else certificates?.onBundle(register);
  }
  if (!certificates) return;
  manager.add(certificateRotation(certificates, { clock, log, intervalMs: RECONCILE_INTERVAL_MS }), {
    needLeaderElection: true,
  });
}

/**
 * Starts the manager with the webhook server (every replica) and, as leader, the registration and (when the
 * certificates are managed) their rotation; resolves once the server serves.
 */
export async function startAdmission(opts: StartAdmissionOptions): Promise<RunningAdmission> {
  const { options } = opts;
  const log = opts.log ?? getLogger("admission");
  const clock = opts.clock ?? realClock;
  const tls = opts.tls ?? (options.certDir ? await readCertDir(options.certDir) : undefined);
  const connection = opts.connection ?? await loadConnection({ path: options.kubeconfig, flag: "--kubeconfig" });
  const leaderElection = leaderElectionOf(options.leaderElection, connection.namespace, opts.identity);
  const client = new KubeClient(connection, { userAgent: `${PRODUCT}/${VERSION} admission` });
  const manager = new Manager({
    client,
    probeAddresses: options.probeAddresses,
    leaderElection,
    clock,
    log: log.child("manager"),
  });
  const reader = cachingReader(manager.informers, clientReader(client));
  // Without a certificate directory the certificates are managed: CA and serving certificate in Secrets of the
  // garden namespace, rotated by the leader, the CA bundle published into the webhook configuration first.
  const certificates = tls ? undefined : new WebhookCertificates({
    // Secrets and labels are named `gardener-extension-<name>-webhook...`: the short name keeps labels within 63.
    extensionName: "admission-equinixmetal",
    client,
    namespace: options.certNamespace,
    ...servingNames(options.webhookClient),
    clock,
    log: log.child("certificates"),
  });
  const pairNow = async (signal: AbortSignal): Promise<ServingPair | undefined> =>
    tls ? { certPem: tls.certPem, keyPem: tls.keyPem } : await certificates!.servingPair(signal);
  const registered = Promise.withResolvers<void>();
  if (!options.registerWebhooks) registered.resolve();
  const server = new ServerRunnable({
    address: options.serverAddress,
    handler: equinixValidator(reader),
    pairNow,
    renewals: certificates !== undefined,
    clock,
    log,
  });
  manager.readiness.add("webhook-server", () => server.serving || "the webhook server is not serving yet");
  manager.readiness.add("profile-caches", () => manager.informers.hasSynced() || "CloudProfile caches not synced");
  manager.add(server, { needLeaderElection: false });
  addLeaderWork(manager, { options, client, tls, certificates, registered, clock, log });

  const stop = new AbortController();
  log.info("Starting the admission", {
    version: VERSION,
    mode: options.webhookClient.mode,
    certificates: tls ? "static" : `managed in ${options.certNamespace}`,
    leaderElection: leaseText(leaderElection),
  });
  const done = manager.start(stop.signal).then(() => manager.stopReason).finally(() => client.close());
  const url = await Promise.race([server.url, done.then(() => undefined)]);
  if (url === undefined) throw new Error("the admission stopped before its webhook server served");
  while (manager.probeUrls.length < options.probeAddresses.length) await yieldToEventLoop();
  return {
    url,
    registered: registered.promise,
    get probeUrls() {
      return manager.probeUrls;
    },
    done,
    stop: async () => {
      stop.abort(new DOMException("admission stopped", "AbortError"));
      return await done;
    },
  };
}

/** Runs the admission until the signal aborts; returns why it stopped. */
export async function runAdmission(opts: StartAdmissionOptions, signal: AbortSignal): Promise<StopReason | undefined> {
  const running = await startAdmission(opts);
  await Promise.race([aborted(signal), running.done.then(() => {}, () => {})]);
  return await running.stop();
}
