/**
 * The Equinix Metal credentials of a shoot: the `cloudprovider` secret named by `spec.secretRef` (keys `apiToken` and
 * `projectID`). The token is registered with the redactor the moment it is read. Errors name the secret and the key.
 */
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { isNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { CoreV1 } from "../../k8s/api/resources.ts";
import { isUuid } from "../../runtime/uuid.ts";
import { registerSecret } from "../../observability/redact.ts";
import { decodeBase64Text } from "../../runtime/base64.ts";
import { ConfigurationError, RetryableConfigurationError } from "../reconciler/mod.ts";

/** What the Metal API needs. */
export interface MetalCredentials {
  apiToken: string;
  projectID: string;
}

/** Label gardenlet puts on WorkloadIdentity token secrets; Equinix Metal has no identity federation. */
const WORKLOAD_IDENTITY_PURPOSE = "workload-identity-token-requestor";

function decodeValue(b64: string, where: string): string {
  try {
    return decodeBase64Text(b64);
  } catch {
    throw new ConfigurationError(`${where} is not valid base64-encoded UTF-8`);
  }
}

/** Reads `apiToken` and `projectID` from a Secret (pure apart from registering the token with the redactor). */
export function credentialsFromSecret(secret: Secret): MetalCredentials {
  const name = `secret ${secret.metadata?.namespace ?? ""}/${secret.metadata?.name ?? ""}`;
  if (secret.metadata?.labels?.["security.gardener.cloud/purpose"] === WORKLOAD_IDENTITY_PURPOSE) {
    throw new ConfigurationError(
      `${name} holds a WorkloadIdentity token: Equinix Metal supports only static credentials (apiToken, projectID)`,
    );
  }
  const data = secret.data ?? {};
  if (Object.keys(data).length === 0) throw new ConfigurationError(`${name} does not contain any data`);
  const value = (key: string): string => {
    const raw = data[key];
    if (raw === undefined) throw new ConfigurationError(`${name}: missing "${key}" field in secret`);
    const text = decodeValue(raw, `${name}: field "${key}"`);
    if (key === "apiToken") {
      registerSecret(text);
      registerSecret(text.trim());
    }
    const trimmed = text.trim();
    if (trimmed === "") throw new ConfigurationError(`${name}: field "${key}" is empty`);
    return trimmed;
  };
  const apiToken = value("apiToken");
  const projectID = value("projectID");
  if (!isUuid(projectID)) {
    throw new ConfigurationError(
      `${name}: field "projectID" must be an Equinix Metal project UUID, got "${projectID}"`,
    );
  }
  return { apiToken, projectID };
}

/** Reads the credentials secret (`spec.secretRef`; its namespace defaults to the object's). */
export async function readCredentials(
  client: KubeClient,
  ref: { name?: string; namespace?: string },
  defaultNamespace: string,
  signal?: AbortSignal,
): Promise<MetalCredentials> {
  const namespace = ref.namespace || defaultNamespace;
  if (!ref.name) throw new ConfigurationError("spec.secretRef.name: Required value: names the credentials secret");
  let secret: Secret;
  try {
    secret = await client.get<Secret & KubeObject>(CoreV1.secrets, ref.name, { namespace, signal });
  } catch (e) {
    // gardenlet writes the secret before the Infrastructure; a missing one may still be on its way.
    if (isNotFound(e)) {
      throw new RetryableConfigurationError(`credentials secret ${namespace}/${ref.name} (spec.secretRef) not found`);
    }
    throw e;
  }
  return credentialsFromSecret(secret);
}
