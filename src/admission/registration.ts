/**
 * The admission's ValidatingWebhookConfiguration in the garden: what it says (`webhookConfiguration`, pure) and
 * writing it (`applyWebhookConfiguration`, create or replace, idempotent). Gardener labels the objects of a provider
 * type with `provider.extensions.gardener.cloud/<type>=true` and the secrets its bindings reference with
 * `provider.shoot.gardener.cloud/<type>=true`; the entries select on those labels, so only our objects reach us.
 */
import type { KubeClient } from "../k8s/client/client.ts";
import { isAlreadyExists } from "../k8s/api/errors.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { AdmissionregistrationV1 } from "../k8s/api/resources.ts";
import { encodeBase64 } from "../runtime/base64.ts";
import { PROVIDER_TYPE } from "./cloud_profile.ts";
import { SECRET_PROVIDER_LABEL } from "./credentials.ts";

/** The path every entry posts to. */
export const VALIDATE_PATH = "/webhooks/validate";
/** Name of the configuration object in the garden. */
export const WEBHOOK_CONFIGURATION_NAME = `gardener-extension-admission-${PROVIDER_TYPE}`;
/** The label Gardener puts on Shoots, CloudProfiles, bindings... of our provider type. */
export const OBJECT_PROVIDER_LABEL = `provider.extensions.gardener.cloud/${PROVIDER_TYPE}`;

/** Where the garden reaches the admission. */
export type WebhookClient =
  | { mode: "url"; url: string }
  | { mode: "service"; namespace: string; name: string; port: number };

type Operation = "CREATE" | "UPDATE";

function entry(
  name: string,
  group: string,
  version: string,
  resources: string[],
  operations: Operation[],
  label: string,
  client: WebhookClient,
  caPem: string,
): Record<string, unknown> {
  const clientConfig: Record<string, unknown> = { caBundle: encodeBase64(caPem) };
  if (client.mode === "url") clientConfig.url = `${client.url.replace(/\/+$/, "")}${VALIDATE_PATH}`;
  else {
    clientConfig.service = { namespace: client.namespace, name: client.name, port: client.port, path: VALIDATE_PATH };
  }
  return {
    name: `${name}.validation.${PROVIDER_TYPE}.provider.extensions.gardener.cloud`,
    rules: [{ apiGroups: [group], apiVersions: [version], resources, operations, scope: "*" }],
    objectSelector: { matchLabels: { [label]: "true" } },
    clientConfig,
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
    timeoutSeconds: 10,
  };
}

/** The ValidatingWebhookConfiguration for `client`, trusting `caPem`. */
export function webhookConfiguration(client: WebhookClient, caPem: string): KubeObject {
  const core = "core.gardener.cloud";
  const security = "security.gardener.cloud";
  const both: Operation[] = ["CREATE", "UPDATE"];
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: WEBHOOK_CONFIGURATION_NAME, labels: { "app.kubernetes.io/name": WEBHOOK_CONFIGURATION_NAME } },
    webhooks: [
      entry("shoots", core, "v1beta1", ["shoots"], both, OBJECT_PROVIDER_LABEL, client, caPem),
      entry(
        "cloudprofiles",
        core,
        "v1beta1",
        ["cloudprofiles", "namespacedcloudprofiles", "namespacedcloudprofiles/status"],
        both,
        OBJECT_PROVIDER_LABEL,
        client,
        caPem,
      ),
      entry("secretbindings", core, "v1beta1", ["secretbindings"], both, OBJECT_PROVIDER_LABEL, client, caPem),
      // A CredentialsBinding's reference is immutable: checking it once, at creation, is enough.
      entry(
        "credentialsbindings",
        security,
        "v1alpha1",
        ["credentialsbindings"],
        ["CREATE"],
        OBJECT_PROVIDER_LABEL,
        client,
        caPem,
      ),
      entry(
        "workloadidentities",
        security,
        "v1alpha1",
        ["workloadidentities"],
        both,
        OBJECT_PROVIDER_LABEL,
        client,
        caPem,
      ),
      entry("secrets", "", "v1", ["secrets"], both, SECRET_PROVIDER_LABEL, client, caPem),
    ],
  } as KubeObject;
}

/** Creates the configuration, or replaces the stored one with it. */
export async function applyWebhookConfiguration(
  client: KubeClient,
  config: KubeObject,
  signal?: AbortSignal,
): Promise<void> {
  const res = AdmissionregistrationV1.validatingWebhookConfigurations;
  try {
    await client.create(res, config, { signal });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const stored = await client.get<KubeObject>(res, config.metadata.name!, { signal });
    await client.update(res, {
      ...config,
      metadata: { ...config.metadata, resourceVersion: stored.metadata.resourceVersion },
    }, {
      signal,
    });
  }
}
