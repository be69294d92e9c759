/**
 * The parts of Gardener's `core.gardener.cloud/v1beta1` Shoot, CloudProfile and Seed that this provider reads (they
 * arrive embedded in the Cluster). Lenient: only the fields we use are typed, everything else is kept untouched, and
 * only what Go's types require (and we depend on) is required.
 */
import { z } from "zod";

export const GROUP = "core.gardener.cloud";
export const VERSION = "v1beta1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/**
 * A raw embedded object (`runtime.RawExtension`: provider configs and statuses, state), passed through unchanged. Not
 * a `z.record`: zod drops a `__proto__` key from records it builds, and the strict decoder of the provider config must
 * see every key the user wrote to report it.
 */
export const RawExtensionSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  { message: "expected an object" },
);
const Raw = RawExtensionSchema;
const StringMap = z.record(z.string(), z.string());
const IntOrString = z.union([z.number().int(), z.string()]);

/** Metadata fields we read from embedded objects. */
const EmbeddedMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
});

// ---------------------------------------------------------------------------------------------------------------------
// Common types (types_common.go)

/** `LastOperation.type` values. */
export const LastOperationType = {
  Create: "Create",
  Reconcile: "Reconcile",
  Delete: "Delete",
  Migrate: "Migrate",
  Restore: "Restore",
} as const;
export type LastOperationType = (typeof LastOperationType)[keyof typeof LastOperationType];

/** `LastOperation.state` values. */
export const LastOperationState = {
  Processing: "Processing",
  Succeeded: "Succeeded",
  Error: "Error",
  Failed: "Failed",
  Pending: "Pending",
  Aborted: "Aborted",
} as const;
export type LastOperationState = (typeof LastOperationState)[keyof typeof LastOperationState];

/** `Condition.status` values. */
export const ConditionStatus = {
  True: "True",
  False: "False",
  Unknown: "Unknown",
  Progressing: "Progressing",
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** Worker pool update strategies (`shoot.spec.provider.workers[].updateStrategy`, `Worker.spec.pools[]`). */
export const UpdateStrategy = {
  AutoRollingUpdate: "AutoRollingUpdate",
  AutoInPlaceUpdate: "AutoInPlaceUpdate",
  ManualInPlaceUpdate: "ManualInPlaceUpdate",
} as const;
export type UpdateStrategy = (typeof UpdateStrategy)[keyof typeof UpdateStrategy];

/** True for the in-place strategies, which this provider does not support. */
export function isInPlaceUpdateStrategy(strategy: string | undefined): boolean {
  return strategy === UpdateStrategy.AutoInPlaceUpdate || strategy === UpdateStrategy.ManualInPlaceUpdate;
}

const LastOperationSchema = z.looseObject({
  description: z.string().optional(),
  lastUpdateTime: z.string().optional(),
  progress: z.number().int().optional(),
  state: z.string(),
  type: z.string(),
});

// ---------------------------------------------------------------------------------------------------------------------
// Shoot

/** A pool whose rotation rollout is still pending keeps its own initiation time (`pendingWorkersRollouts`). */
export const PendingWorkersRolloutSchema = z.looseObject({
  name: z.string(),
  lastInitiationTime: z.string().optional(),
});

/** CA or service-account-key rotation status. */
export const CredentialsRotationSchema = z.looseObject({
  phase: z.string().optional(),
  lastInitiationTime: z.string().optional(),
  lastInitiationFinishedTime: z.string().optional(),
  lastCompletionTriggeredTime: z.string().optional(),
  lastCompletionTime: z.string().optional(),
  pendingWorkersRollouts: z.array(PendingWorkersRolloutSchema).optional(),
});
export type CredentialsRotation = z.output<typeof CredentialsRotationSchema>;

export const ShootCredentialsSchema = z.looseObject({
  rotation: z
    .looseObject({
      certificateAuthorities: CredentialsRotationSchema.optional(),
      serviceAccountKey: CredentialsRotationSchema.optional(),
    })
    .optional(),
});

/** One worker pool of the shoot spec (only what the provider reads). */
export const ShootWorkerSchema = z.looseObject({
  name: z.string(),
  machine: z.looseObject({
    type: z.string(),
    image: z.looseObject({ name: z.string(), version: z.string().optional() }).optional(),
    architecture: z.string().optional(),
  }),
  minimum: z.number().int().optional(),
  maximum: z.number().int().optional(),
  maxSurge: IntOrString.optional(),
  maxUnavailable: IntOrString.optional(),
  cri: z.looseObject({ name: z.string() }).optional(),
  kubernetes: z.looseObject({ version: z.string().optional(), kubelet: Raw.optional() }).optional(),
  providerConfig: Raw.optional(),
  zones: z.array(z.string()).optional(),
  updateStrategy: z.string().optional(),
});
export type ShootWorker = z.output<typeof ShootWorkerSchema>;

export const ShootSpecSchema = z.looseObject({
  region: z.string(),
  kubernetes: z.looseObject({ version: z.string(), kubelet: Raw.optional() }),
  networking: z
    .looseObject({
      type: z.string().optional(),
      nodes: z.string().optional(),
      pods: z.string().optional(),
      services: z.string().optional(),
      ipFamilies: z.array(z.string()).optional(),
    })
    .optional(),
  hibernation: z.looseObject({ enabled: z.boolean().optional() }).optional(),
  provider: z.looseObject({
    type: z.string(),
    infrastructureConfig: Raw.optional(),
    controlPlaneConfig: Raw.optional(),
    workers: z.array(ShootWorkerSchema).optional(),
  }),
  systemComponents: z
    .looseObject({ nodeLocalDNS: z.looseObject({ enabled: z.boolean() }).optional() })
    .optional(),
  cloudProfileName: z.string().optional(),
  cloudProfile: z.looseObject({ kind: z.string().optional(), name: z.string() }).optional(),
  secretBindingName: z.string().optional(),
  credentialsBindingName: z.string().optional(),
  seedName: z.string().optional(),
  purpose: z.string().optional(),
});

export const ShootStatusSchema = z.looseObject({
  lastOperation: LastOperationSchema.optional(),
  technicalID: z.string().optional(),
  isHibernated: z.boolean().optional(),
  seedName: z.string().optional(),
  networking: z
    .looseObject({
      nodes: z.array(z.string()).optional(),
      pods: z.array(z.string()).optional(),
      services: z.array(z.string()).optional(),
      egressCIDRs: z.array(z.string()).optional(),
    })
    .optional(),
  credentials: ShootCredentialsSchema.optional(),
});

export const ShootSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: EmbeddedMetaSchema.optional(),
  spec: ShootSpecSchema,
  status: ShootStatusSchema.optional(),
});
export type Shoot = z.output<typeof ShootSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// CloudProfile

export const RegionSchema = z.looseObject({
  name: z.string(),
  zones: z.array(z.looseObject({ name: z.string() })).optional(),
});
export type Region = z.output<typeof RegionSchema>;

export const MachineTypeSchema = z.looseObject({
  name: z.string(),
  cpu: IntOrString,
  gpu: IntOrString,
  memory: IntOrString,
  architecture: z.string().optional(),
  usable: z.boolean().optional(),
  storage: z.looseObject({ class: z.string().optional(), size: IntOrString.optional() }).optional(),
});
export type MachineType = z.output<typeof MachineTypeSchema>;

export const CloudProfileMachineImageSchema = z.looseObject({
  name: z.string(),
  versions: z.array(
    z.looseObject({
      version: z.string(),
      classification: z.string().optional(),
      expirationDate: z.string().optional(),
      architectures: z.array(z.string()).optional(),
    }),
  ),
  updateStrategy: z.string().optional(),
});
export type CloudProfileMachineImage = z.output<typeof CloudProfileMachineImageSchema>;

/** The Kubernetes versions a profile offers. */
export const KubernetesSettingsSchema = z.looseObject({
  versions: z.array(z.looseObject({ version: z.string(), classification: z.string().optional() })),
});

export const CloudProfileSpecSchema = z.looseObject({
  type: z.string(),
  /** The provider's CloudProfileConfig (decode strictly with `decodeCloudProfileConfig`). */
  providerConfig: Raw.optional(),
  regions: z.array(RegionSchema),
  machineTypes: z.array(MachineTypeSchema),
  machineImages: z.array(CloudProfileMachineImageSchema),
  kubernetes: KubernetesSettingsSchema.optional(),
});
export type CloudProfileSpec = z.output<typeof CloudProfileSpecSchema>;

export const CloudProfileSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: EmbeddedMetaSchema.optional(),
  spec: CloudProfileSpecSchema,
});
export type CloudProfile = z.output<typeof CloudProfileSchema>;

/**
 * A project's additions to a CloudProfile: more images, machine types, versions, its own provider config. Gardener
 * writes the merged profile to `status.cloudProfileSpec`.
 */
export const NamespacedCloudProfileSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: EmbeddedMetaSchema.optional(),
  spec: z.looseObject({
    parent: z.looseObject({ kind: z.string(), name: z.string() }),
    providerConfig: Raw.optional(),
    machineTypes: z.array(MachineTypeSchema).optional(),
    machineImages: z.array(CloudProfileMachineImageSchema).optional(),
    kubernetes: KubernetesSettingsSchema.optional(),
  }),
  status: z.looseObject({ cloudProfileSpec: CloudProfileSpecSchema.optional() }).optional(),
});
export type NamespacedCloudProfile = z.output<typeof NamespacedCloudProfileSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// SecretBinding (legacy, replaced by security.gardener.cloud's CredentialsBinding)

/** Binds a project's Secret to shoots of one provider type. */
export const SecretBindingSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: EmbeddedMetaSchema.optional(),
  secretRef: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  provider: z.looseObject({ type: z.string() }).optional(),
});
export type SecretBinding = z.output<typeof SecretBindingSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Seed

export const SeedSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: EmbeddedMetaSchema.optional(),
  spec: z.looseObject({
    provider: z.looseObject({
      type: z.string(),
      region: z.string(),
      zones: z.array(z.string()).optional(),
    }),
  }),
});
export type Seed = z.output<typeof SeedSchema>;
