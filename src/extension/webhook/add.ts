/**
 * Wires webhooks into a Manager as Gardener's webhook library does: every replica serves them (waiting for the first
 * serving certificate, then reloading it as it is renewed, also into the cert dir), and the leader manages the
 * certificates and keeps the seed MutatingWebhookConfiguration up to date (written at start, rewritten with each new
 * CA bundle). The ControlPlane controller gets the shoot configuration with the current bundle from the result.
 */
import type { Manager } from "../../k8s/controller/manager.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { parseIp } from "../../runtime/ip_address.ts";
import type { CertificatePolicy } from "../../k8s/webhook/certificates.ts";
import { type BundlePublisher, WebhookCertificates } from "../../k8s/webhook/certificates_reconcile.ts";
import { certificateRotation } from "../../k8s/webhook/certificates_rotation.ts";
import {
  extensionServiceName,
  type MutatingWebhookConfiguration,
  renderSeedWebhookConfiguration,
  renderShootWebhookConfiguration,
  type WebhookConfigMode,
  type WebhookEndpoint,
} from "./registration.ts";
import { applyWebhookConfiguration, ownerNamespace } from "./registration_apply.ts";
import { type ServingPair, startWebhookServer, type WebhookServer } from "./server.ts";
import { firstServingPair } from "../../k8s/webhook/server.ts";
import type { Webhook } from "./webhook.ts";

/** The webhook flags, resolved. */
export interface WebhookSettings {
  /** Listen host and port of the server. */
  host: string;
  port: number;
  /** Where the serving certificate is also written (`tls.crt`, `tls.key`); undefined: memory only. */
  certDir?: string;
  mode: WebhookConfigMode;
  url?: string;
  /** The extension's namespace: certificates in Secrets there, Service namespace; undefined: one-off pair. */
  namespace?: string;
  /** The Namespace owning the seed configuration (default: `namespace`). */
  ownerNamespace?: string;
  servicePort: number;
}

/** What `addWebhooks` needs. */
export interface WebhookArgs {
  webhooks: Webhook[];
  settings: WebhookSettings;
  client: KubeClient;
  extensionName: string;
  policy?: CertificatePolicy;
  /** How often every replica re-reads the serving certificate (default 1 min). */
  reloadIntervalMs?: number;
  /** How often the leader checks the certificates (default 10 min; 10 s after a failure). */
  reconcileIntervalMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** The webhooks as wired. */
export interface AddedWebhooks {
  readonly certificates: WebhookCertificates;
  /** True when some webhooks are registered in shoots (the ControlPlane controller publishes their configuration). */
  readonly hasShootWebhooks: boolean;
  /** The server's port while it serves. */
  readonly port: number | undefined;
  /** The certificate (PEM) the server presents to new connections, while it serves. */
  servingCertificate(): string | undefined;
  /**
   * The shoot MutatingWebhookConfiguration with `bundlePem` (default: the bundle last published); undefined without
   * shoot webhooks or before the first bundle. A bundle publisher passes the bundle it is given.
   */
  shootConfiguration(bundlePem?: string): MutatingWebhookConfiguration | undefined;
  /** Adds a publisher called with every new bundle before it counts as published (shoot configurations). */
  onBundle(publisher: BundlePublisher): void;
}

/** The webhooks minus those named in `--disable-webhooks` (`*`: all). */
export function enabledWebhooks(webhooks: readonly Webhook[], disabled: readonly string[]): Webhook[] {
  if (disabled.includes("*")) return [];
  return webhooks.filter((w) => !disabled.includes(w.name));
}

/** DNS names and IP addresses the serving certificate must carry for the endpoint. */
export function servingNames(endpoint: WebhookEndpoint, host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const add = (name: string) => {
    if (!name) return;
    const bare = name.replace(/^\[|\]$/g, "");
    const list = parseIp(bare) ? ipAddresses : dnsNames;
    if (!list.includes(bare)) list.push(bare);
  };
  if (endpoint.namespace) {
    const service = extensionServiceName(endpoint.extensionName);
    for (
      const n of [
        "",
        `.${endpoint.namespace}`,
        `.${endpoint.namespace}.svc`,
        `.${endpoint.namespace}.svc.cluster.local`,
      ]
    ) {
      add(service + n);
    }
  }
  if (endpoint.url) {
    const hostPart = endpoint.url.replace(/^https:\/\//, "").split("/")[0];
    add(hostPart.startsWith("[") ? hostPart.slice(0, hostPart.indexOf("]") + 1) : hostPart.replace(/:\d+$/, ""));
  }
  if (host) add(host);
  if (dnsNames.length === 0 && ipAddresses.length === 0) {
    add("localhost");
    add("127.0.0.1");
  }
  return { dnsNames, ipAddresses };
}

async function writeCertDir(dir: string, pair: ServingPair, log: Logger): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/tls.crt`, pair.certPem, { mode: 0o644 });
    await Deno.writeTextFile(`${dir}/tls.key`, pair.keyPem, { mode: 0o600 });
  } catch (e) {
    log.error("Cannot write the webhook certificate directory", {
      dir,
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

function abortedError(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof DOMException && e.name === "AbortError");
}

/** Adds the webhook server (every replica) and the certificate and registration loop (leader) to the manager. */
export function addWebhooks(manager: Manager, args: WebhookArgs): AddedWebhooks {
  const clock = args.clock ?? realClock;
  const log = args.log ?? getLogger("webhook");
  const { settings } = args;
  const endpoint: WebhookEndpoint = {
    extensionName: args.extensionName,
    mode: settings.mode,
    namespace: settings.namespace,
    url: settings.url,
    servicePort: settings.servicePort,
  };
  const names = servingNames(endpoint, settings.host);
  const certificates = new WebhookCertificates({
    extensionName: args.extensionName,
    client: settings.namespace ? args.client : undefined,
    namespace: settings.namespace,
    ...names,
    policy: args.policy,
    clock,
    log: log.child("certificates"),
  });
  const reloadInterval = args.reloadIntervalMs ?? 60_000;
  const reconcileInterval = args.reconcileIntervalMs ?? 10 * 60_000;
  let server: WebhookServer | undefined;

  const reload = async (signal?: AbortSignal) => {
    if (!server) return;
    const pair = await certificates.servingPair(signal);
    if (pair && pair.certPem !== server.certificate.certPem) {
      server.setCertificate(pair);
      log.info("Serving a renewed webhook certificate");
      if (settings.certDir) await writeCertDir(settings.certDir, pair, log);
    }
  };

  if (args.webhooks.some((w) => w.target === "seed")) {
    const ownerName = settings.ownerNamespace ?? settings.namespace;
    certificates.onBundle(async (bundlePem, signal) => {
      const owner = ownerName ? await ownerNamespace(args.client, ownerName, signal) : undefined;
      const desired = renderSeedWebhookConfiguration(args.webhooks, endpoint, bundlePem, owner);
      await applyWebhookConfiguration(args.client, desired, signal);
      log.info("Seed webhook configuration written", {
        name: desired.metadata.name,
        webhooks: desired.webhooks.length,
      });
    });
  }

  manager.readiness.add("webhook-server", () => !!server || "the webhook server is not serving yet");
  manager.add({
    async start(signal) {
      const pair = await firstServingPair((s) => certificates.servingPair(s), { clock, log, signal });
      if (!pair) return;
      if (settings.certDir) await writeCertDir(settings.certDir, pair, log);
      server = await startWebhookServer({
        host: settings.host,
        port: settings.port,
        webhooks: args.webhooks,
        certificate: pair,
        clock: realClock,
        log: log.child("server"),
      });
      try {
        while (!signal.aborted) {
          await clock.sleep(reloadInterval, signal).catch(() => {});
          if (signal.aborted) break;
          await reload(signal).catch((e) => {
            if (!abortedError(e, signal)) {
              log.error("Cannot reload the webhook certificate", { error: e instanceof Error ? e.message : String(e) });
            }
          });
        }
      } finally {
        const s = server;
        server = undefined;
        await s.shutdown();
      }
    },
  }, { needLeaderElection: false });

  manager.add(certificateRotation(certificates, { clock, log, intervalMs: reconcileInterval, afterReconcile: reload }));

  return {
    certificates,
    hasShootWebhooks: args.webhooks.some((w) => w.target === "shoot"),
    get port() {
      return server?.port;
    },
    servingCertificate: () => server?.certificate.certPem,
    shootConfiguration(bundlePem?: string) {
      const bundle = bundlePem ?? certificates.bundle();
      return bundle ? renderShootWebhookConfiguration(args.webhooks, endpoint, bundle) : undefined;
    },
    onBundle: (publisher) => certificates.onBundle(publisher),
  };
}
