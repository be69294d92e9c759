/**
 * Shoot access for seed components, as current Gardener grants it: a `shoot-access-<name>` Secret that the resource
 * manager's TokenRequestor fills with a token of the shoot ServiceAccount `kube-system/<name>` (creating it), mounted
 * together with the generic token kubeconfig named in the Cluster. Pure.
 */
import type { Volume, VolumeMount } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { Cluster } from "../../apis/extensions/v1alpha1.ts";
import {
  ANNOTATION_GENERIC_TOKEN_KUBECONFIG_SECRET,
  GENERIC_TOKEN_KUBECONFIG_SECRET,
} from "../../apis/extensions/constants.ts";

/** Where the projected kubeconfig (generic kubeconfig + token) is mounted. */
export const GENERIC_KUBECONFIG_DIR = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig";
/** The kubeconfig file of that mount. */
export const GENERIC_KUBECONFIG_PATH = `${GENERIC_KUBECONFIG_DIR}/kubeconfig`;

/** Name of the shoot access Secret of a component. */
export function shootAccessSecretName(component: string): string {
  return `shoot-access-${component}`;
}

/** The shoot access Secret of `component` (ServiceAccount of the same name in the shoot's kube-system). */
export function shootAccessSecret(component: string, namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: shootAccessSecretName(component),
      namespace,
      labels: {
        "resources.gardener.cloud/purpose": "token-requestor",
        "resources.gardener.cloud/class": "shoot",
      },
      annotations: {
        "serviceaccount.resources.gardener.cloud/name": component,
        "serviceaccount.resources.gardener.cloud/namespace": "kube-system",
      },
    },
    type: "Opaque",
  } as KubeObject;
}

/** The generic token kubeconfig Secret named in the Cluster (its name changes on CA rotation). */
export function genericTokenKubeconfigSecretName(cluster: Cluster): string {
  return cluster.metadata.annotations?.[ANNOTATION_GENERIC_TOKEN_KUBECONFIG_SECRET] || GENERIC_TOKEN_KUBECONFIG_SECRET;
}

/** The projected volume (kubeconfig + token) and its read-only mount at `GENERIC_KUBECONFIG_DIR`. */
export function genericKubeconfigVolume(
  component: string,
  kubeconfigSecret: string,
  volumeName = "kubeconfig",
): { volume: Volume; mount: VolumeMount } {
  return {
    volume: {
      name: volumeName,
      projected: {
        defaultMode: 420,
        sources: [
          { secret: { name: kubeconfigSecret, items: [{ key: "kubeconfig", path: "kubeconfig" }], optional: false } },
          {
            secret: {
              name: shootAccessSecretName(component),
              items: [{ key: "token", path: "token" }],
              optional: false,
            },
          },
        ],
      },
    },
    mount: { name: volumeName, mountPath: GENERIC_KUBECONFIG_DIR, readOnly: true },
  };
}
