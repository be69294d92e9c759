/**
 * The Equinix Metal webhooks: which objects each one is registered for and which mutation an object gets, by kind
 * and name as Gardener's generic control-plane mutator dispatches.
 * - `controlplane` (seed; shoot namespaces of Equinix Metal shoots; only objects gardenlet labels
 *   `provider.extensions.gardener.cloud/mutated-by-controlplane-webhook=true`, which are all we mutate):
 *   the machine-controller-manager Deployment and VPA, kube-controller-manager, the OperatingSystemConfigs.
 * - `seedprovider` (seed; shoot namespaces on a seed that runs on Equinix Metal; Etcds carry no such label, so no
 *   object selector): etcd-main and etcd-events.
 * No shoot webhook: the one upstream had (a `metabot` init container in `vpn-shoot`) feeds a file current vpn-shoot
 * no longer reads (docs/decisions.md).
 * Pure: the mutations read nothing but the object and the request, so they never wait on the API server.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { MutationRequest, Webhook } from "../webhook/webhook.ts";
import { findImage, type ImageVector } from "../imagevector/mod.ts";
import { ensureEtcdStorage, type Etcd, type EtcdStorageConfig } from "./etcd_storage.ts";
import { ensureExternalCloudProvider, KCM_NAME } from "./kube_controller_manager.ts";
import {
  ensureMachineControllerManagerSidecar,
  ensureMachineControllerManagerVPA,
  MCM_DEPLOYMENT_NAME,
  MCM_VPA_NAME,
  SIDECAR_CONTAINER_NAME,
  type VerticalPodAutoscaler,
} from "./mcm_sidecar.ts";
import { ensureOperatingSystemConfig, type OperatingSystemConfig } from "./operating_system_config.ts";

/** The extension type in namespace labels. */
export const EXTENSION_TYPE = "equinixmetal";
/** The label gardenlet puts on every object it wants the controlplane webhook to see. */
export const MUTATED_BY_CONTROLPLANE_WEBHOOK_LABEL =
  "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook";

/** What the webhooks need. */
export interface EquinixMetalWebhookOptions {
  /** Images (the sidecar's image is looked up when the list is built, so a missing one fails at start-up). */
  images: ImageVector;
  /** `etcd.storage` of the ControllerConfiguration. */
  etcdStorage: EtcdStorageConfig;
}

/** The namespace an object lives in: the request's (set on CREATE too), else the object's. */
function namespaceOf(object: KubeObject, request: MutationRequest): string {
  return request.namespace || object.metadata.namespace || "";
}

/** The controlplane mutation of one object (pure): dispatch by kind and name; anything else comes back as it is. */
export function mutateControlPlaneObject(
  object: KubeObject,
  request: MutationRequest,
  sidecarImage: string,
): KubeObject {
  if (object.metadata.deletionTimestamp) return object;
  const name = object.metadata.name ?? request.name;
  switch (request.kind.kind) {
    case "Deployment":
      if (name === MCM_DEPLOYMENT_NAME) {
        return ensureMachineControllerManagerSidecar(
          object as Deployment & KubeObject,
          namespaceOf(object, request),
          sidecarImage,
        );
      }
      if (name === KCM_NAME) return ensureExternalCloudProvider(object as Deployment & KubeObject);
      return object;
    case "VerticalPodAutoscaler":
      return name === MCM_VPA_NAME ? ensureMachineControllerManagerVPA(object as VerticalPodAutoscaler) : object;
    case "OperatingSystemConfig":
      return ensureOperatingSystemConfig(object as OperatingSystemConfig);
    default:
      return object;
  }
}

/** The seedprovider mutation of one object (pure). */
export function mutateSeedProviderObject(
  object: KubeObject,
  request: MutationRequest,
  storage: EtcdStorageConfig,
): KubeObject {
  if (object.metadata.deletionTimestamp) return object;
  return request.kind.kind === "Etcd" ? ensureEtcdStorage(object as Etcd, storage) : object;
}

/** The webhooks of this provider, in registration order. */
export function equinixMetalWebhooks(options: EquinixMetalWebhookOptions): Webhook[] {
  const sidecarImage = findImage(options.images, SIDECAR_CONTAINER_NAME);
  const etcdStorage = { ...options.etcdStorage };
  return [
    {
      name: "controlplane",
      path: "/controlplane",
      target: "seed",
      rules: [
        { operations: ["CREATE", "UPDATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] },
        {
          operations: ["CREATE", "UPDATE"],
          apiGroups: ["autoscaling.k8s.io"],
          apiVersions: ["v1"],
          resources: ["verticalpodautoscalers"],
        },
        {
          operations: ["CREATE", "UPDATE"],
          apiGroups: ["extensions.gardener.cloud"],
          apiVersions: ["v1alpha1"],
          resources: ["operatingsystemconfigs"],
        },
      ],
      namespaceSelector: {
        matchExpressions: [{ key: "shoot.gardener.cloud/provider", operator: "In", values: [EXTENSION_TYPE] }],
      },
      objectSelector: { matchLabels: { [MUTATED_BY_CONTROLPLANE_WEBHOOK_LABEL]: "true" } },
      failurePolicy: "Fail",
      mutate: (object, request) => Promise.resolve(mutateControlPlaneObject(object, request, sidecarImage)),
    },
    {
      name: "seedprovider",
      path: "/seedprovider",
      target: "seed",
      rules: [
        {
          operations: ["CREATE", "UPDATE"],
          apiGroups: ["druid.gardener.cloud"],
          apiVersions: ["v1alpha1"],
          resources: ["etcds"],
        },
      ],
      namespaceSelector: {
        matchExpressions: [{ key: "seed.gardener.cloud/provider", operator: "In", values: [EXTENSION_TYPE] }],
      },
      failurePolicy: "Fail",
      mutate: (object, request) => Promise.resolve(mutateSeedProviderObject(object, request, etcdStorage)),
    },
  ];
}
