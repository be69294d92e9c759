/**
 * ManagedResources as Gardener's generic ControlPlane actuator writes them (pure): the objects serialised into one
 * Secret the ManagedResource references, the MR names that keep a Go and a TS build interchangeable on live shoots, and
 * what "healthy" and "not progressing" mean when gardenlet's resource manager reports on an MR.
 */
import { stringify as toYaml } from "yaml";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { encodeBase64 } from "../../runtime/base64.ts";

/** MR of the seed components (the CCM): class `seed`, so the seed's resource manager applies it. */
export const MR_SEED = "extension-controlplane-seed";
/** The class of MRs the seed's resource manager applies. */
export const SEED_CLASS = "seed";
/** MR of the shoot's system components (RBAC, MetalLB): no class, so the shoot's resource manager applies it. */
export const MR_SHOOT = "extension-controlplane-shoot";
/** MR of the shoot's storage classes (not written by this provider; removed if an earlier build left one). */
export const MR_STORAGE_CLASSES = "extension-controlplane-storageclasses";
/** MR of the shoot webhooks' MutatingWebhookConfiguration. */
export const MR_SHOOT_WEBHOOKS = "extension-controlplane-shoot-webhooks";

/** The resource manager deletes and re-creates an object whose update the API server rejects as invalid. */
export const DELETE_ON_INVALID_UPDATE = "resources.gardener.cloud/delete-on-invalid-update";
/** Label gardenlet's shoot-deletion clean-up honours: objects of our shoot MRs are left to the MR. */
export const LABEL_NO_CLEANUP = "shoot.gardener.cloud/no-cleanup";
/** Key of the referenced Secret that holds the manifests. */
export const MANIFESTS_KEY = "objects.yaml";

/** What one ManagedResource carries. */
export interface ManagedResourceInput {
  name: string;
  namespace: string;
  objects: readonly KubeObject[];
  /** `seed` for the seed's resource manager; unset for the shoot's. */
  class?: string;
  /** Migrate: the resource manager leaves the objects when the MR is deleted. */
  keepObjects?: boolean;
  injectLabels?: Record<string, string>;
}

/** The rendered MR and the Secret it references. */
export interface RenderedManagedResource {
  secret: KubeObject;
  managedResource: KubeObject;
}

/** Name of the Secret an MR references (`managedresource-<mr>`, as Gardener's library names it). */
export function managedResourceSecretName(mrName: string): string {
  return `managedresource-${mrName}`;
}

function sortKey(o: KubeObject): string {
  return `${(o.kind ?? "").toLowerCase()}__${o.metadata.namespace ?? ""}__${
    (o.metadata.name ?? "").replace(/:/g, "_")
  }`;
}

/** The manifests, sorted as Gardener sorts them, as one multi-document YAML text. */
export function serializeManifests(objects: readonly KubeObject[]): string {
  return [...objects].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
    .map((o) => toYaml(o, { lineWidth: 0 }))
    .join("---\n");
}

/** The ManagedResource and its Secret for `input` (a shoot MR gets the no-cleanup label injected). */
export function renderManagedResource(input: ManagedResourceInput): RenderedManagedResource {
  const secretName = managedResourceSecretName(input.name);
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace: input.namespace },
    type: "Opaque",
    data: { [MANIFESTS_KEY]: encodeBase64(serializeManifests(input.objects)) },
  } as KubeObject;
  const injectLabels = input.class === undefined
    ? { [LABEL_NO_CLEANUP]: "true", ...input.injectLabels }
    : input.injectLabels;
  const spec: Record<string, unknown> = {
    secretRefs: [{ name: secretName }],
    keepObjects: input.keepObjects ?? false,
  };
  if (input.class !== undefined) spec.class = input.class;
  if (injectLabels && Object.keys(injectLabels).length) spec.injectLabels = injectLabels;
  const managedResource: KubeObject = {
    apiVersion: "resources.gardener.cloud/v1alpha1",
    kind: "ManagedResource",
    metadata: { name: input.name, namespace: input.namespace },
    spec,
  } as KubeObject;
  return { secret, managedResource };
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** Why an MR is not yet healthy and settled (Applied and Healthy True, not Progressing, generation observed). */
export function managedResourceProblem(mr: KubeObject): string | undefined {
  const status = (mr as { status?: { observedGeneration?: number; conditions?: Condition[] } }).status;
  if (status?.observedGeneration !== mr.metadata.generation) {
    return `observed generation ${status?.observedGeneration ?? "none"} is not ${mr.metadata.generation}`;
  }
  const cond = (type: string) => status?.conditions?.find((c) => c.type === type);
  for (const type of ["ResourcesApplied", "ResourcesHealthy"]) {
    const c = cond(type);
    if (c?.status !== "True") {
      return `condition ${type} is ${c?.status ?? "missing"}${c?.message ? `: ${c.message}` : ""}`;
    }
  }
  const progressing = cond("ResourcesProgressing");
  if (progressing?.status === "True") return `condition ResourcesProgressing is True: ${progressing.message ?? ""}`;
  return undefined;
}
