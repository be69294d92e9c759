/**
 * The provider's half of the generic ControlPlane actuator (Gardener's values provider and charts, as pure renderers):
 * which shoot access its seed components need, which Secrets restart them when they change, the objects of the seed MR
 * (applied in the shoot namespace by the seed's resource manager) and of the shoot MR. The generic half (actuator.ts)
 * observes, applies and tears down.
 */
import type { MutatingWebhookConfiguration } from "kubernetes-types/admissionregistration/v1.d.ts";
import type { ControlPlane } from "../../apis/extensions/v1alpha1.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { ClusterContext } from "../reconciler/mod.ts";

/** What the renderers get. */
export interface ControlPlaneValues {
  controlPlane: ControlPlane;
  cluster: ClusterContext;
  namespace: string;
  /** 0 once a hibernated shoot's kube-apiserver is down, otherwise 1. */
  replicas: number;
  /** `checksum/secret-<name>` values of the delegate's `checksumSecrets` (absent Secrets are left out). */
  checksums: Record<string, string>;
  /** The generic token kubeconfig Secret named in the Cluster. */
  genericTokenKubeconfigSecretName: string;
}

/** The provider's renderers. */
export interface ControlPlaneDelegate {
  /** Components that get a `shoot-access-<name>` Secret (ServiceAccount `kube-system/<name>` in the shoot). */
  shootAccessComponents: readonly string[];
  /** Secrets of the shoot namespace whose checksums go into the pod annotations (e.g. `cloudprovider`). */
  checksumSecrets: readonly string[];
  /** The objects of MR `extension-controlplane-seed` (class `seed`: into the shoot namespace of the seed). */
  seedObjects(values: ControlPlaneValues): KubeObject[];
  /** The objects of MR `extension-controlplane-shoot`. */
  shootObjects(values: ControlPlaneValues): KubeObject[];
}

/** The shoot webhooks' configuration with the current caBundle, or undefined while there is none. */
export type ShootWebhookConfigSource = () => MutatingWebhookConfiguration | undefined;
