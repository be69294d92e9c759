/**
 * Writes the seed MutatingWebhookConfiguration: created, or its webhooks, labels and owner overwritten to the desired
 * state (kube-apiserver rejects a stale resourceVersion; the caller retries on its next pass).
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { AdmissionregistrationV1, CoreV1 } from "../../k8s/api/resources.ts";
import { isNotFound, undefinedIfNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { MutatingWebhookConfiguration } from "./registration.ts";

/** The uid of the Namespace owning the seed configuration, or undefined when it does not exist. */
export async function ownerNamespace(
  client: KubeClient,
  name: string,
  signal?: AbortSignal,
): Promise<{ name: string; uid: string } | undefined> {
  const ns = await undefinedIfNotFound(client.get<KubeObject>(CoreV1.namespaces, name, { signal }));
  return ns?.metadata.uid ? { name, uid: ns.metadata.uid } : undefined;
}

/** Creates or updates the configuration to `desired`. */
export async function applyWebhookConfiguration(
  client: KubeClient,
  desired: MutatingWebhookConfiguration,
  signal?: AbortSignal,
): Promise<void> {
  const res = AdmissionregistrationV1.mutatingWebhookConfigurations;
  let existing: MutatingWebhookConfiguration | undefined;
  try {
    existing = await client.get<MutatingWebhookConfiguration>(res, desired.metadata.name!, { signal });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!existing) {
    await client.create(res, desired, { signal });
    return;
  }
  await client.update(res, {
    ...existing,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...desired.metadata.labels },
      ownerReferences: desired.metadata.ownerReferences ?? existing.metadata.ownerReferences,
    },
    webhooks: desired.webhooks,
  }, { signal });
}
