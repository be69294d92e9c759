/**
 * The MutatingWebhookConfigurations of an extension, as Gardener's webhook library renders them: the seed one
 * (`gardener-extension-<name>`, owned by the extension's Namespace) and the shoot one (`...-shoot`, published per shoot
 * by the ControlPlane controller), one entry per webhook named `<webhook>.<name minus "provider-">.extensions
 * .gardener.cloud`, with the client config of the mode (`service`, `url`, `url-service`) and the CA bundle. Pure.
 */
import type { KubeObject, OwnerReference } from "../../k8s/api/objects.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import type { Webhook, WebhookRule, WebhookTarget } from "./webhook.ts";

/** How kube-apiservers reach the webhook server (`--webhook-config-mode`). */
export type WebhookConfigMode = "service" | "url" | "url-service";
/** The modes, for flag validation. */
export const WEBHOOK_CONFIG_MODES: readonly WebhookConfigMode[] = ["service", "url", "url-service"];

/** gardenlet's shoot webhook remediator leaves configurations with this label alone. */
export const LABEL_REMEDIATION_EXCLUDE = "remediation.webhook.shoot.gardener.cloud/exclude";

/** Where the webhook server is reached. */
export interface WebhookEndpoint {
  /** The extension's name, e.g. `provider-equinix-metal`. */
  extensionName: string;
  mode: WebhookConfigMode;
  /** The extension's namespace (the Service's namespace); required by the `service` and `url-service` modes. */
  namespace?: string;
  /** `host[:port]` of the `url` mode. */
  url?: string;
  /** Port of the Service (`--webhook-config-service-port`). */
  servicePort: number;
}

/** An admissionregistration.k8s.io/v1 MutatingWebhookConfiguration as we write it. */
export interface MutatingWebhookConfiguration extends KubeObject {
  apiVersion: "admissionregistration.k8s.io/v1";
  kind: "MutatingWebhookConfiguration";
  webhooks: MutatingWebhookEntry[];
}

/** One entry of a MutatingWebhookConfiguration. */
export interface MutatingWebhookEntry {
  name: string;
  clientConfig: {
    service?: { namespace: string; name: string; path: string; port: number };
    url?: string;
    caBundle: string;
  };
  rules: (WebhookRule & { scope?: string })[];
  failurePolicy: "Fail" | "Ignore";
  matchPolicy: "Exact";
  sideEffects: "None";
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  namespaceSelector?: Webhook["namespaceSelector"];
  objectSelector?: Webhook["objectSelector"];
}

/** `gardener-extension-<name>`, unless the name already starts with `gardener-`. */
export function extensionServiceName(extensionName: string): string {
  return extensionName.startsWith("gardener-") ? extensionName : `gardener-extension-${extensionName}`;
}

/** Name of the seed (`...`) or shoot (`...-shoot`) configuration. */
export function webhookConfigurationName(extensionName: string, target: WebhookTarget): string {
  const base = extensionServiceName(extensionName);
  return target === "shoot" ? `${base}-shoot` : base;
}

/** `<webhook>.<name minus "provider-">.extensions.gardener.cloud`. */
export function webhookEntryName(extensionName: string, webhook: string): string {
  return `${webhook}.${extensionName.replace(/^provider-/, "")}.extensions.gardener.cloud`;
}

/** The mode a target's configuration uses: shoots reach a `service`-mode server by URL through the Service's name. */
export function modeFor(target: WebhookTarget, mode: WebhookConfigMode): WebhookConfigMode {
  return target === "shoot" && mode === "service" ? "url-service" : mode;
}

function requireNamespace(endpoint: WebhookEndpoint, mode: string): string {
  if (!endpoint.namespace) throw new Error(`webhook config mode ${mode} needs the extension namespace`);
  return endpoint.namespace;
}

/** The `clientConfig` of a path in a mode. */
export function clientConfig(
  endpoint: WebhookEndpoint,
  mode: WebhookConfigMode,
  path: string,
  caBundlePem: string,
): MutatingWebhookEntry["clientConfig"] {
  const caBundle = encodeBase64(caBundlePem);
  const service = extensionServiceName(endpoint.extensionName);
  switch (mode) {
    case "service":
      return {
        service: { namespace: requireNamespace(endpoint, mode), name: service, path, port: endpoint.servicePort },
        caBundle,
      };
    case "url":
      if (!endpoint.url) throw new Error("webhook config mode url needs the webhook URL");
      return { url: `https://${endpoint.url.replace(/^https:\/\//, "").replace(/\/+$/, "")}${path}`, caBundle };
    case "url-service":
      return {
        url: `https://${service}.${requireNamespace(endpoint, mode)}:${endpoint.servicePort}${path}`,
        caBundle,
      };
  }
}

/** The entries of the webhooks of one target. */
export function webhookEntries(
  webhooks: readonly Webhook[],
  target: WebhookTarget,
  endpoint: WebhookEndpoint,
  caBundlePem: string,
): MutatingWebhookEntry[] {
  const mode = modeFor(target, endpoint.mode);
  return webhooks.filter((w) => w.target === target).map((w) => ({
    name: webhookEntryName(endpoint.extensionName, w.name),
    clientConfig: clientConfig(endpoint, mode, w.path, caBundlePem),
    rules: w.rules.map((r) => ({ ...r })),
    failurePolicy: w.failurePolicy,
    matchPolicy: "Exact",
    sideEffects: "None",
    timeoutSeconds: 10,
    admissionReviewVersions: ["v1", "v1beta1"],
    ...(w.namespaceSelector ? { namespaceSelector: structuredClone(w.namespaceSelector) } : {}),
    ...(w.objectSelector ? { objectSelector: structuredClone(w.objectSelector) } : {}),
  }));
}

function configuration(
  name: string,
  webhooks: MutatingWebhookEntry[],
  ownerReferences?: OwnerReference[],
): MutatingWebhookConfiguration {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name,
      labels: { [LABEL_REMEDIATION_EXCLUDE]: "true" },
      ...(ownerReferences?.length ? { ownerReferences } : {}),
    },
    webhooks,
  };
}

/** The owner reference of the seed configuration: the extension's Namespace (garbage-collected with it). */
export function namespaceOwnerReference(namespace: { name: string; uid: string }): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    name: namespace.name,
    uid: namespace.uid,
    controller: true,
    blockOwnerDeletion: false,
  };
}

/** The seed MutatingWebhookConfiguration: the seed webhooks, owned by the extension's Namespace when known. */
export function renderSeedWebhookConfiguration(
  webhooks: readonly Webhook[],
  endpoint: WebhookEndpoint,
  caBundlePem: string,
  owner?: { name: string; uid: string },
): MutatingWebhookConfiguration {
  return configuration(
    webhookConfigurationName(endpoint.extensionName, "seed"),
    webhookEntries(webhooks, "seed", endpoint, caBundlePem),
    owner ? [namespaceOwnerReference(owner)] : undefined,
  );
}

/**
 * The shoot MutatingWebhookConfiguration the ControlPlane controller publishes in each shoot (through its
 * ManagedResource), or undefined when there are no shoot webhooks.
 */
export function renderShootWebhookConfiguration(
  webhooks: readonly Webhook[],
  endpoint: WebhookEndpoint,
  caBundlePem: string,
): MutatingWebhookConfiguration | undefined {
  const entries = webhookEntries(webhooks, "shoot", endpoint, caBundlePem);
  return entries.length ? configuration(webhookConfigurationName(endpoint.extensionName, "shoot"), entries) : undefined;
}
