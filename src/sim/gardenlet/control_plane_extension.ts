/**
 * SIMULATION of gardenlet: the ControlPlane extension object it deploys after the Infrastructure is ready (pure).
 * Name and namespace, type, region and credentials as the Infrastructure's; `providerConfig` from the Shoot's
 * `spec.provider.controlPlaneConfig` (in the Cluster); `infrastructureProviderStatus` the Infrastructure's
 * `status.providerStatus`; purpose `normal` left to the default.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";

type Json = Record<string, unknown>;

/** The ControlPlane gardenlet deploys for a shoot whose Infrastructure is `infrastructure` and Cluster is `cluster`. */
export function controlPlaneFor(infrastructure: KubeObject, cluster: KubeObject, providerStatus: unknown): KubeObject {
  const infraSpec = (infrastructure as { spec?: Json }).spec ?? {};
  const shoot = ((cluster as { spec?: Json }).spec?.shoot ?? {}) as Json;
  const provider = ((shoot.spec as Json | undefined)?.provider ?? {}) as Json;
  const spec: Json = {
    type: infraSpec.type,
    region: infraSpec.region,
    secretRef: infraSpec.secretRef,
  };
  if (provider.controlPlaneConfig) spec.providerConfig = structuredClone(provider.controlPlaneConfig);
  if (providerStatus !== undefined) spec.infrastructureProviderStatus = structuredClone(providerStatus);
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "ControlPlane",
    metadata: { name: infrastructure.metadata.name, namespace: infrastructure.metadata.namespace },
    spec,
  } as KubeObject;
}
