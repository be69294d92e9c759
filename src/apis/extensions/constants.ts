/**
 * Strings of the extension contract with gardenlet (annotations, finalizers, labels, classes). Using the same
 * strings as the Go provider keeps a Go and a TypeScript build interchangeable on live objects.
 */

/** The extension type this provider handles (`spec.type`). */
export const EXTENSION_TYPE = "equinixmetal";
/** The extension's name (heartbeat holder identity, chart names). */
export const EXTENSION_NAME = "provider-equinix-metal";

/** Annotation through which gardenlet requests an operation. */
export const ANNOTATION_OPERATION = "gardener.cloud/operation";
/** Values of `gardener.cloud/operation` on extension objects. */
export const Operation = {
  Reconcile: "reconcile",
  Migrate: "migrate",
  Restore: "restore",
  /** Object created for restore but its state is not filled in yet: do nothing. */
  WaitForState: "wait-for-state",
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

/** Set by gardenlet with every request (RFC3339Nano); never removed by the extension. */
export const ANNOTATION_TIMESTAMP = "gardener.cloud/timestamp";
/** On the Shoot: a true boolean value selects ForceDelete instead of Delete. */
export const ANNOTATION_FORCE_DELETION = "confirmation.gardener.cloud/force-deletion";
/** Required on extension objects before the API server lets anyone delete them. */
export const ANNOTATION_CONFIRM_DELETION = "confirmation.gardener.cloud/deletion";
/** On the Cluster: name of the current generic token kubeconfig secret (changes on CA rotation). */
export const ANNOTATION_GENERIC_TOKEN_KUBECONFIG_SECRET = "generic-token-kubeconfig.secret.gardener.cloud/name";
/** Fallback name of the generic token kubeconfig secret. */
export const GENERIC_TOKEN_KUBECONFIG_SECRET = "generic-token-kubeconfig";

/** Finalizers of the extension kinds (`extensions/pkg/controller/*`). */
export const Finalizer = {
  Infrastructure: "extensions.gardener.cloud/infrastructure",
  ControlPlane: "extensions.gardener.cloud/controlplane",
  Worker: "extensions.gardener.cloud/worker",
  BackupBucket: "extensions.gardener.cloud/backupbucket",
  BackupEntry: "extensions.gardener.cloud/backupentry",
  Bastion: "extensions.gardener.cloud/bastion",
  DNSRecord: "extensions.gardener.cloud/dnsrecord",
  Network: "extensions.gardener.cloud/network",
  ContainerRuntime: "extensions.gardener.cloud/containerruntime",
  OperatingSystemConfig: "extensions.gardener.cloud/operatingsystemconfigs",
  SelfHostedShootExposure: "extensions.gardener.cloud/selfhostedshootexposure",
} as const;

/** Extension classes (`spec.class`); unset means `shoot`. */
export const ExtensionClass = { Shoot: "shoot", Seed: "seed", Garden: "garden" } as const;
export type ExtensionClass = (typeof ExtensionClass)[keyof typeof ExtensionClass];

/** `gardener.cloud/purpose` label key and the values we use. */
export const LABEL_PURPOSE = "gardener.cloud/purpose";
export const PURPOSE_MACHINE_CLASS = "machineclass";
export const PURPOSE_CLOUDPROVIDER = "cloudprovider";

/** Label on MachineDeployments (and nodes) naming the worker pool. */
export const LABEL_WORKER_POOL = "worker.gardener.cloud/pool";
/** Label on in-place MachineDeployment templates naming the Worker. */
export const LABEL_WORKER_NAME = "worker.gardener.cloud/name";

/** Cluster-autoscaler annotations on MachineDeployments (values copied from `pool.clusterAutoscaler`). */
export const ClusterAutoscalerAnnotation = {
  ScaleDownUtilizationThreshold: "autoscaler.gardener.cloud/scale-down-utilization-threshold",
  ScaleDownGpuUtilizationThreshold: "autoscaler.gardener.cloud/scale-down-gpu-utilization-threshold",
  ScaleDownUnneededTime: "autoscaler.gardener.cloud/scale-down-unneeded-time",
  ScaleDownUnreadyTime: "autoscaler.gardener.cloud/scale-down-unready-time",
  MaxNodeProvisionTime: "autoscaler.gardener.cloud/max-node-provision-time",
} as const;

/** Condition types gardenlet merges into the Shoot. */
export const ConditionType = {
  ControlPlaneHealthy: "ControlPlaneHealthy",
  EveryNodeReady: "EveryNodeReady",
  SystemComponentsHealthy: "SystemComponentsHealthy",
  ObservabilityComponentsHealthy: "ObservabilityComponentsHealthy",
} as const;
