/**
 * Apply step for ManagedResources: the Secret and the MR written with compare-before-write, deletion of both, and the
 * publication of the shoot webhooks' configuration into every shoot namespace this extension serves (what the webhook
 * certificates' rotation calls with a new CA bundle before the server switches to it).
 */
import type { MutatingWebhookConfiguration } from "kubernetes-types/admissionregistration/v1.d.ts";
import type { ControlPlane } from "../../apis/extensions/v1alpha1.ts";
import { ANNOTATION_OPERATION } from "../../apis/extensions/constants.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { CoreV1, ExtensionsV1alpha1, ResourcesV1alpha1 } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import {
  type ManagedResourceInput,
  managedResourceSecretName,
  MR_SHOOT_WEBHOOKS,
  renderManagedResource,
} from "./managed_resource.ts";
import { SeedObjectWriter } from "./seed_objects_apply.ts";

/** Writes an MR's Secret, then the MR (each compared first). */
export async function ensureManagedResource(w: SeedObjectWriter, input: ManagedResourceInput): Promise<void> {
  const { secret, managedResource } = renderManagedResource(input);
  await w.ensure(CoreV1.secrets, secret);
  await w.ensure(ResourcesV1alpha1.managedResources, managedResource);
}

/** Deletes an MR and its Secret; true while the MR still exists (its resource manager is removing the objects). */
export async function deleteManagedResource(w: SeedObjectWriter, name: string): Promise<boolean> {
  const present = await w.delete(ResourcesV1alpha1.managedResources, name);
  await w.delete(CoreV1.secrets, managedResourceSecretName(name));
  return present;
}

/** MR `extension-controlplane-shoot-webhooks` of a namespace holding `config`. */
export function shootWebhooksManagedResource(
  namespace: string,
  config: MutatingWebhookConfiguration,
): ManagedResourceInput {
  const object = { ...config, apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration" };
  return { name: MR_SHOOT_WEBHOOKS, namespace, objects: [object as KubeObject] };
}

/**
 * Writes `config` into MR `extension-controlplane-shoot-webhooks` of every namespace with a ControlPlane of `type`
 * that is neither being deleted nor migrated away (self-hosted shoots in kube-system excluded); compared first, so an
 * unchanged bundle costs no write. Returns the namespaces written to.
 */
export async function publishShootWebhooks(
  client: KubeClient,
  log: Logger,
  type: string,
  config: MutatingWebhookConfiguration,
  signal?: AbortSignal,
): Promise<string[]> {
  const list = await client.list<ControlPlane>(ExtensionsV1alpha1.controlPlanes, { signal });
  const namespaces = new Set<string>();
  for (const cp of list.items) {
    const ns = cp.metadata.namespace ?? "";
    const last = cp.status?.lastOperation;
    const migrated = last?.type === "Migrate" && last.state === "Succeeded" &&
      cp.metadata.annotations?.[ANNOTATION_OPERATION] !== "restore";
    if (cp.spec.type !== type || cp.metadata.deletionTimestamp || migrated || ns === "kube-system") continue;
    namespaces.add(ns);
  }
  for (const ns of namespaces) {
    await ensureManagedResource(
      new SeedObjectWriter(client, ns, log, signal),
      shootWebhooksManagedResource(ns, config),
    );
  }
  return [...namespaces].sort();
}
