/**
 * The `admission` command's flags and the options they resolve into: the garden to register in, how the garden
 * reaches us (`url` or `service` mode), where we listen with which certificate, leader election, probes. Every problem
 * names its flag.
 */
import { parseListenAddress } from "../observability/listen_address.ts";
import { toggle, value } from "../runtime/flags.ts";
import type { WebhookClient } from "./registration.ts";

/** The default name of the admission's Service and lease. */
export const ADMISSION_NAME = "gardener-extension-admission-equinixmetal";

function listenAddress(text: string): string {
  parseListenAddress(text);
  return text;
}

function probeAddress(text: string): string {
  if (text !== "0") parseListenAddress(text);
  return text;
}

function httpsUrl(text: string): string {
  const url = new URL(text);
  if (url.protocol !== "https:") throw new Error(`must be an https:// URL, got ${JSON.stringify(text)}`);
  return text;
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) {
    throw new Error(`must be a port (1-65535), got ${JSON.stringify(text)}`);
  }
  return n;
}

/** The flags of `admission`. */
export const ADMISSION_FLAGS = {
  kubeconfig: value("<path>", "kubeconfig of the (virtual) garden", {
    env: "GARDEN_KUBECONFIG",
    defaultText: "$GARDEN_KUBECONFIG, KUBECONFIG, ~/.kube/config, in-cluster",
  }),
  webhookConfigMode: value("<mode>", "how the garden reaches the webhooks", {
    choices: ["url", "service"] as const,
    default: "url",
  }),
  webhookConfigUrl: value("<url>", "url mode: the base URL the garden calls (…/webhooks/validate is appended)", {
    parse: httpsUrl,
    defaultText: `https://${ADMISSION_NAME}.<namespace>`,
  }),
  webhookConfigNamespace: value(
    "<namespace>",
    "namespace of the admission's Service (also the URL's domain in url mode without --webhook-config-url)",
    {
      defaultText: "$WEBHOOK_CONFIG_NAMESPACE, else garden",
      env: "WEBHOOK_CONFIG_NAMESPACE",
    },
  ),
  webhookConfigServiceName: value("<name>", "service mode: the Service in front of the admission", {
    default: ADMISSION_NAME,
  }),
  webhookConfigServicePort: value("<port>", "service mode: the Service port", { parse: port, default: 443 }),
  webhookConfigServerAddress: value("<host:port>", "where the HTTPS server listens", {
    parse: listenAddress,
    default: ":10250",
  }),
  webhookConfigCertDir: value(
    "<dir>",
    "directory with tls.crt, tls.key and (optionally) ca.crt, the bundle the garden trusts; without it the " +
      "certificates are managed in Secrets of --webhook-config-namespace and rotated",
  ),
  registerWebhooks: toggle("write the ValidatingWebhookConfiguration into the garden (as leader)", { negatable: true }),
  leaderElection: toggle("register only while holding the leader lease", { negatable: true }),
  leaderElectionId: value("<name>", "lease name", { default: `${ADMISSION_NAME}-leader-election` }),
  leaderElectionNamespace: value("<namespace>", "lease namespace", {
    env: "LEADER_ELECTION_NAMESPACE",
    defaultText: "$LEADER_ELECTION_NAMESPACE, else the kubeconfig's namespace",
  }),
  metricsBindAddress: value("<address>", "address of /metrics; 0 disables", { parse: probeAddress, default: ":8080" }),
  healthBindAddress: value("<address>", "address of /healthz and /readyz; 0 disables", {
    parse: probeAddress,
    default: ":8081",
  }),
};

/** What the admission runs with. */
export interface AdmissionOptions {
  kubeconfig?: string;
  webhookClient: WebhookClient;
  serverAddress: string;
  /** Certificates from files; undefined: managed. */
  certDir?: string;
  /** Namespace of the managed certificates' Secrets. */
  certNamespace: string;
  registerWebhooks: boolean;
  leaderElection?: { id: string; namespace?: string };
  probeAddresses: string[];
}

/** Raw flag values, as the parser hands them over. */
export interface AdmissionFlagValues {
  kubeconfig?: string;
  webhookConfigMode: "url" | "service";
  webhookConfigUrl?: string;
  webhookConfigNamespace?: string;
  webhookConfigServiceName: string;
  webhookConfigServicePort: number;
  webhookConfigServerAddress: string;
  webhookConfigCertDir?: string;
  registerWebhooks: boolean;
  leaderElection: boolean;
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  metricsBindAddress: string;
  healthBindAddress: string;
}

/** Resolves the flag values into options. */
export function resolveAdmissionOptions(v: AdmissionFlagValues): AdmissionOptions {
  const namespace = v.webhookConfigNamespace || "garden";
  const webhookClient: WebhookClient = v.webhookConfigMode === "url"
    ? { mode: "url", url: v.webhookConfigUrl ?? `https://${v.webhookConfigServiceName}.${namespace}` }
    : { mode: "service", namespace, name: v.webhookConfigServiceName, port: v.webhookConfigServicePort };
  const probes = [...new Set([v.metricsBindAddress, v.healthBindAddress].filter((a) => a !== "0"))];
  return {
    kubeconfig: v.kubeconfig,
    webhookClient,
    serverAddress: v.webhookConfigServerAddress,
    certDir: v.webhookConfigCertDir,
    certNamespace: namespace,
    registerWebhooks: v.registerWebhooks,
    leaderElection: v.leaderElection ? { id: v.leaderElectionId, namespace: v.leaderElectionNamespace } : undefined,
    probeAddresses: probes,
  };
}
