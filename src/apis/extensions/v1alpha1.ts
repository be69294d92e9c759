/**
 * Gardener's `extensions.gardener.cloud/v1alpha1` objects this provider reads and writes: the envelope every kind
 * shares, Infrastructure, ControlPlane, Worker and Cluster. Field names follow the seed CRDs.
 *
 * All objects are decoded leniently: gardenlet adds fields with every release and we must neither reject nor drop
 * them (we write some of these objects back). Object schemas are `z.looseObject`, so unknown fields are kept.
 */
import { z } from "zod";
import { decode, type DecodeInput, type DecodeOptions } from "../decode.ts";
import { CloudProfileSchema, RawExtensionSchema, SeedSchema, ShootSchema } from "../core/v1beta1.ts";
import { decodeBase64, encodeBase64 } from "../../runtime/base64.ts";

export const GROUP = "extensions.gardener.cloud";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

// ---------------------------------------------------------------------------------------------------------------------
// Shared pieces

export { RawExtensionSchema };
export type RawExtension = z.output<typeof RawExtensionSchema>;

/** Kubernetes int-or-string (e.g. `maxSurge: 1` or `"10%"`). */
export const IntOrStringSchema = z.union([z.number().int(), z.string()]);
export type IntOrString = z.output<typeof IntOrStringSchema>;

const StringMap = z.record(z.string(), z.string());

/** `[]byte` fields are base64 text in JSON (standard alphabet, padded, as Go's encoding/json writes them). */
const Base64Schema = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, {
  message: "must be base64 encoded",
});

export const OwnerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/** The metadata fields controllers use; everything else is kept as is. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  deletionGracePeriodSeconds: z.number().int().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(OwnerReferenceSchema).optional(),
});
export type ObjectMeta = z.output<typeof ObjectMetaSchema>;

/** `corev1.SecretReference`. */
export const SecretReferenceSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
});
export type SecretReference = z.output<typeof SecretReferenceSchema>;

/** `gardencorev1beta1.LastOperation`. */
export const LastOperationSchema = z.looseObject({
  description: z.string(),
  lastUpdateTime: z.string(),
  progress: z.number().int(),
  /** One of `LastOperationState` (core/v1beta1.ts). */
  state: z.string(),
  /** One of `LastOperationType` (core/v1beta1.ts). */
  type: z.string(),
});
export type LastOperation = z.output<typeof LastOperationSchema>;

/** `gardencorev1beta1.LastError`. */
export const LastErrorSchema = z.looseObject({
  description: z.string(),
  taskID: z.string().optional(),
  codes: z.array(z.string()).optional(),
  lastUpdateTime: z.string().optional(),
});
export type LastError = z.output<typeof LastErrorSchema>;

/** `gardencorev1beta1.Condition`. */
export const ConditionSchema = z.looseObject({
  type: z.string(),
  /** `True` | `False` | `Unknown` | `Progressing`. */
  status: z.string(),
  lastTransitionTime: z.string(),
  lastUpdateTime: z.string(),
  reason: z.string(),
  message: z.string(),
  codes: z.array(z.string()).optional(),
});
export type Condition = z.output<typeof ConditionSchema>;

/** `gardencorev1beta1.NamedResourceReference`: resources that `state` refers to, migrated with it. */
export const NamedResourceReferenceSchema = z.looseObject({
  name: z.string(),
  resourceRef: z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.string(),
    name: z.string(),
  }),
});
export type NamedResourceReference = z.output<typeof NamedResourceReferenceSchema>;

/** `DefaultSpec`: fields every extension kind's spec has. */
const defaultSpecShape = {
  type: z.string(),
  /** `shoot` | `seed` | `garden`; unset means `shoot`. */
  class: z.string().optional(),
  providerConfig: RawExtensionSchema.optional(),
};
export const DefaultSpecSchema = z.looseObject(defaultSpecShape);
export type DefaultSpec = z.output<typeof DefaultSpecSchema>;

/** `DefaultStatus`: fields every extension kind's status has (the extension owns all of them). */
const defaultStatusShape = {
  providerStatus: RawExtensionSchema.optional(),
  conditions: z.array(ConditionSchema).optional(),
  lastError: LastErrorSchema.optional(),
  lastOperation: LastOperationSchema.optional(),
  observedGeneration: z.number().int().optional(),
  state: RawExtensionSchema.optional(),
  resources: z.array(NamedResourceReferenceSchema).optional(),
};
export const DefaultStatusSchema = z.looseObject(defaultStatusShape);
export type DefaultStatus = z.output<typeof DefaultStatusSchema>;

const objectShape = {
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
};

// ---------------------------------------------------------------------------------------------------------------------
// Infrastructure

/** Node/pod/service CIDRs the infrastructure reports (since Gardener v1.99). */
export const InfrastructureNetworkingSchema = z.looseObject({
  nodes: z.array(z.string()).optional(),
  pods: z.array(z.string()).optional(),
  services: z.array(z.string()).optional(),
});

export const InfrastructureSpecSchema = z.looseObject({
  ...defaultSpecShape,
  region: z.string(),
  secretRef: SecretReferenceSchema,
  /** Public SSH key, base64 (`[]byte` in Go); see `decodeSshPublicKey`. */
  sshPublicKey: Base64Schema.optional(),
});
export type InfrastructureSpec = z.output<typeof InfrastructureSpecSchema>;

export const InfrastructureStatusSchema = z.looseObject({
  ...defaultStatusShape,
  nodesCIDR: z.string().optional(),
  networking: InfrastructureNetworkingSchema.optional(),
  egressCIDRs: z.array(z.string()).optional(),
});
export type InfrastructureStatusFields = z.output<typeof InfrastructureStatusSchema>;

export const InfrastructureSchema = z.looseObject({
  ...objectShape,
  spec: InfrastructureSpecSchema,
  status: InfrastructureStatusSchema.optional(),
});
export type Infrastructure = z.output<typeof InfrastructureSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// ControlPlane

export const ControlPlaneSpecSchema = z.looseObject({
  ...defaultSpecShape,
  region: z.string(),
  secretRef: SecretReferenceSchema,
  infrastructureProviderStatus: RawExtensionSchema.optional(),
});
export type ControlPlaneSpec = z.output<typeof ControlPlaneSpecSchema>;

export const ControlPlaneSchema = z.looseObject({
  ...objectShape,
  spec: ControlPlaneSpecSchema,
  status: DefaultStatusSchema.optional(),
});
export type ControlPlane = z.output<typeof ControlPlaneSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Worker

/** `corev1.Taint`. */
export const TaintSchema = z.looseObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
  timeAdded: z.string().optional(),
});
export type Taint = z.output<typeof TaintSchema>;

export const WorkerMachineImageSchema = z.looseObject({ name: z.string(), version: z.string() });
export type WorkerMachineImage = z.output<typeof WorkerMachineImageSchema>;

/** Root disk of a pool. */
export const VolumeSchema = z.looseObject({
  name: z.string().optional(),
  type: z.string().optional(),
  size: z.string(),
  encrypted: z.boolean().optional(),
});
export type Volume = z.output<typeof VolumeSchema>;

export const DataVolumeSchema = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  size: z.string(),
  encrypted: z.boolean().optional(),
});
export type DataVolume = z.output<typeof DataVolumeSchema>;

/** Per-pool machine-controller-manager settings (durations are Go duration strings). */
export const MachineControllerManagerSettingsSchema = z.looseObject({
  machineDrainTimeout: z.string().optional(),
  machineHealthTimeout: z.string().optional(),
  machineCreationTimeout: z.string().optional(),
  maxEvictRetries: z.number().int().optional(),
  nodeConditions: z.array(z.string()).optional(),
  inPlaceUpdateTimeout: z.string().optional(),
  disableHealthTimeout: z.boolean().optional(),
  machinePreserveTimeout: z.string().optional(),
  autoPreserveFailedMachineMax: z.number().int().optional(),
});
export type MachineControllerManagerSettings = z.output<typeof MachineControllerManagerSettingsSchema>;

/** Capacity for cluster-autoscaler scale-from-zero (quantities). */
export const NodeTemplateSchema = z.looseObject({
  capacity: z.record(z.string(), IntOrStringSchema),
  virtualCapacity: z.record(z.string(), IntOrStringSchema).optional(),
});
export type NodeTemplate = z.output<typeof NodeTemplateSchema>;

/** Per-pool cluster-autoscaler settings, written as MachineDeployment annotations. */
export const ClusterAutoscalerOptionsSchema = z.looseObject({
  scaleDownUtilizationThreshold: z.string().optional(),
  scaleDownGpuUtilizationThreshold: z.string().optional(),
  scaleDownUnneededTime: z.string().optional(),
  scaleDownUnreadyTime: z.string().optional(),
  maxNodeProvisionTime: z.string().optional(),
});
export type ClusterAutoscalerOptions = z.output<typeof ClusterAutoscalerOptionsSchema>;

/** `corev1.SecretKeySelector` for the bootstrap user data. */
export const UserDataSecretRefSchema = z.looseObject({
  name: z.string().optional(),
  key: z.string(),
  optional: z.boolean().optional(),
});

/** One worker pool as gardenlet writes it. */
export const WorkerPoolSchema = z.looseObject({
  name: z.string(),
  machineType: z.string(),
  minimum: z.number().int(),
  maximum: z.number().int(),
  maxSurge: IntOrStringSchema,
  maxUnavailable: IntOrStringSchema,
  priority: z.number().int().optional(),
  annotations: StringMap.optional(),
  labels: StringMap.optional(),
  taints: z.array(TaintSchema).optional(),
  machineImage: WorkerMachineImageSchema,
  architecture: z.string().optional(),
  /** Name of the gardener-node-agent secret; must feed the MachineClass hash (V2). */
  nodeAgentSecretName: z.string().optional(),
  userDataSecretRef: UserDataSecretRefSchema,
  volume: VolumeSchema.optional(),
  dataVolumes: z.array(DataVolumeSchema).optional(),
  kubeletDataVolumeName: z.string().optional(),
  zones: z.array(z.string()).optional(),
  machineControllerManager: MachineControllerManagerSettingsSchema.optional(),
  kubernetesVersion: z.string().optional(),
  /** The pool's kubelet configuration; passed through, not interpreted here. */
  kubeletConfig: RawExtensionSchema.optional(),
  nodeTemplate: NodeTemplateSchema.optional(),
  clusterAutoscaler: ClusterAutoscalerOptionsSchema.optional(),
  /** `AutoRollingUpdate` | `AutoInPlaceUpdate` | `ManualInPlaceUpdate`. */
  updateStrategy: z.string().optional(),
  providerConfig: RawExtensionSchema.optional(),
});
export type WorkerPool = z.output<typeof WorkerPoolSchema>;

export const WorkerSpecSchema = z.looseObject({
  ...defaultSpecShape,
  infrastructureProviderStatus: RawExtensionSchema.optional(),
  region: z.string(),
  secretRef: SecretReferenceSchema,
  sshPublicKey: Base64Schema.optional(),
  pools: z.array(WorkerPoolSchema),
});
export type WorkerSpec = z.output<typeof WorkerSpecSchema>;

/** One MachineDeployment as reported in the Worker status (read by gardenlet for the cluster-autoscaler). */
export const MachineDeploymentStatusSchema = z.looseObject({
  name: z.string(),
  minimum: z.number().int(),
  maximum: z.number().int(),
  priority: z.number().int().optional(),
  autoPreserveFailedMachineMax: z.number().int().optional(),
});
export type MachineDeploymentStatus = z.output<typeof MachineDeploymentStatusSchema>;

export const WorkerStatusSchema = z.looseObject({
  ...defaultStatusShape,
  machineDeployments: z.array(MachineDeploymentStatusSchema).optional(),
  machineDeploymentsLastUpdateTime: z.string().optional(),
  inPlaceUpdates: z.looseObject({ workerPoolToHashMap: StringMap.optional() }).optional(),
});
export type WorkerStatusFields = z.output<typeof WorkerStatusSchema>;

export const WorkerSchema = z.looseObject({
  ...objectShape,
  spec: WorkerSpecSchema,
  status: WorkerStatusSchema.optional(),
});
export type Worker = z.output<typeof WorkerSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Cluster

/**
 * The Cluster: the shoot, its (possibly synthetic) CloudProfile and its Seed, embedded whole. Only the fields we use
 * are typed; the seed is absent for self-hosted shoots.
 */
export const ClusterSpecSchema = z.looseObject({
  shoot: ShootSchema,
  cloudProfile: CloudProfileSchema,
  seed: SeedSchema.optional(),
});

export const ClusterSchema = z.looseObject({
  ...objectShape,
  spec: ClusterSpecSchema,
});
export type Cluster = z.output<typeof ClusterSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Decoders

/** Decodes an Infrastructure leniently; errors name the field and the object. */
export function decodeInfrastructure(input: DecodeInput, opts: DecodeOptions = {}): Infrastructure {
  return decode(InfrastructureSchema, input, { mode: "lenient", ...opts });
}

/** Decodes a ControlPlane leniently. */
export function decodeControlPlane(input: DecodeInput, opts: DecodeOptions = {}): ControlPlane {
  return decode(ControlPlaneSchema, input, { mode: "lenient", ...opts });
}

/** Decodes a Worker leniently. */
export function decodeWorker(input: DecodeInput, opts: DecodeOptions = {}): Worker {
  return decode(WorkerSchema, input, { mode: "lenient", ...opts });
}

/** Decodes a Cluster leniently (shoot, cloudProfile and the optional seed included). */
export function decodeCluster(input: DecodeInput, opts: DecodeOptions = {}): Cluster {
  return decode(ClusterSchema, input, { mode: "lenient", ...opts });
}

/** The SSH public key of an Infrastructure or Worker spec as text (it is base64 `[]byte` in the API). */
export function decodeSshPublicKey(spec: { sshPublicKey?: string }): string | undefined {
  if (spec.sshPublicKey === undefined || spec.sshPublicKey === "") return undefined;
  return new TextDecoder().decode(decodeBase64(spec.sshPublicKey));
}

/** Encodes an SSH public key for `spec.sshPublicKey` (base64 of the UTF-8 text). */
export function encodeSshPublicKey(key: string): string {
  return encodeBase64(key);
}
