/**
 * machine.sapcloud.io/v1alpha1 (machine-controller-manager): Machine, MachineClass, MachineSet and MachineDeployment
 * as the CRDs in `crds/machine` define them, the zod schemas we decode them with, and MCM's catalogue of
 * finalizers, labels, annotations, phases and lastOperation vocabulary (exact strings: other tools parse them).
 */
import { z } from "zod";
import type { KubeObject, ObjectMeta } from "../../k8s/api/objects.ts";
import type { NodeAddress, NodeCondition, NodeSpec, Taint } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";

export type { NodeAddress, NodeCondition, NodeSpec, Taint };

/** API group and version. */
export const GROUP = "machine.sapcloud.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

// ---------------------------------------------------------------------------------------------------------------
// Catalogue of keys (MCM §4.16)

/** Finalizer on Machines and MachineClasses (and MCM's MachineSets/MachineDeployments). */
export const MCM_FINALIZER = "machine.sapcloud.io/machine-controller-manager";
/** Finalizer on Secrets referenced by a MachineClass. */
export const MC_SECRET_FINALIZER = "machine.sapcloud.io/machine-controller";
/** Finalizer on Nodes backed by a Machine. */
export const NODE_FINALIZER = "node.machine.sapcloud.io/machine-controller";

/** Machine label: name of the backing Node. */
export const LABEL_NODE = "node";
/** Machine label: MachineDeployment name (groups machines for meltdown protection). */
export const LABEL_DEPLOYMENT_NAME = "name";
/** Machine label: `"True"` forces drain and deletion. */
export const LABEL_FORCE_DELETION = "force-deletion";
/** Machine label: `"True"` forces the drain of a preserved machine. */
export const LABEL_FORCE_DRAIN = "force-drain";
/** MachineSet/MachineDeployment label: frozen by MCM's safety controller. */
export const LABEL_FREEZE = "freeze";

/** Machine annotation: deletion priority, "1" deleted first, default "3". */
export const ANNOTATION_MACHINE_PRIORITY = "machinepriority.machine.sapcloud.io";
export const DEFAULT_MACHINE_PRIORITY = "3";
export const ANNOTATION_MARKED_FOR_DELETION_TIME = "machine.sapcloud.io/marked-for-deletion-time";
/** Machine annotation (Go duration) overriding the creation timeout (copied from the MachineSet). */
export const ANNOTATION_EFFECTIVE_CREATION_TIMEOUT = "node.machine.sapcloud.io/effective-creation-timeout";
/** Machine annotation: how long the machine took to join (Go duration). */
export const ANNOTATION_MACHINE_JOIN_DURATION = "node.machine.sapcloud.io/machine-join-duration";
export const ANNOTATION_PRESERVE = "node.machine.sapcloud.io/preserve";
export const ANNOTATION_LAST_APPLIED_NODE_PRESERVE_VALUE = "node.machine.sapcloud.io/last-applied-node-preserve-value";
export const ANNOTATION_TRIGGER_DELETION_BY_MCM = "node.machine.sapcloud.io/trigger-deletion-by-mcm";
export const ANNOTATION_LAST_REPLICA_CHANGE_BY_SCALER =
  "machine.sapcloud.io/last-deployment-replica-change-by-scaler-time";
export const LABEL_SCALE_UP_DISABLED = "node.machine.sapcloud.io/scale-up-disabled";

/** Node label: the Machine backing this Node (set by the machine controller). */
export const NODE_LABEL_MACHINE_NAME = "node.gardener.cloud/machine-name";
/** Node annotation: JSON of the Machine's nodeTemplate last applied to the Node. */
export const NODE_ANNOTATION_LAST_APPLIED_ALT = "node.machine.sapcloud.io/last-applied-anno-labels-taints";
/** Node annotation: JSON of the MachineClass virtualCapacity last applied to the Node status. */
export const NODE_ANNOTATION_LAST_APPLIED_VIRTUAL_CAPACITY = "node.machine.sapcloud.io/last-applied-virtual-capacity";
/** Node annotation: the Node has no Machine; MCM leaves it alone. */
export const NODE_ANNOTATION_NOT_MANAGED_BY_MCM = "node.machine.sapcloud.io/not-managed-by-mcm";
/** Taint gardener-node-agent removes once the node's critical components run. */
export const TAINT_CRITICAL_COMPONENTS_NOT_READY = "node.gardener.cloud/critical-components-not-ready";
export const TAINT_PRESERVED = "node.machine.sapcloud.io/preserved";

/** Node condition written while a machine is being deleted, and its reasons and messages. */
export const NODE_CONDITION_TERMINATING = "Terminating";
export const NODE_TERMINATING_REASON_UNHEALTHY = "Unhealthy";
export const NODE_TERMINATING_REASON_SCALE_DOWN = "ScaleDown";
export const NODE_TERMINATING_MESSAGE_UNHEALTHY = "Machine Controller is terminating failed machine";
export const NODE_TERMINATING_MESSAGE_SCALE_DOWN = "Machine Controller is scaling down machine";

/** Bootstrap token secrets (k8s.io/cluster-bootstrap). */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = "bootstrap-token-";
export const BOOTSTRAP_TOKEN_NAMESPACE = "kube-system";

/** The only `spec.class.kind` the provider machine controller handles. */
export const MACHINE_CLASS_KIND = "MachineClass";

// ---------------------------------------------------------------------------------------------------------------
// Phases and lastOperation vocabulary (MCM §4.6)

export const MachinePhases = [
  "",
  "Pending",
  "Available",
  "Running",
  "Unknown",
  "Failed",
  "Terminating",
  "CrashLoopBackOff",
  "InPlaceUpdating",
  "InPlaceUpdateSuccessful",
  "InPlaceUpdateFailed",
] as const;
/** `status.currentStatus.phase`; `""` while the machine is being created. */
export type MachinePhase = typeof MachinePhases[number];

export const MachineStates = ["Processing", "Failed", "Successful"] as const;
/** `status.lastOperation.state`. */
export type MachineState = typeof MachineStates[number];

export const MachineOperationTypes = [
  "Create",
  "Update",
  "InPlaceUpdate",
  "DrainNode",
  "HealthCheck",
  "Delete",
] as const;
/** `status.lastOperation.type`. */
export type MachineOperationType = typeof MachineOperationTypes[number];

/**
 * Keywords of the delete state machine. Each step's description ends with the keyword of the next step, and the
 * controller picks the step by looking for the keyword in `lastOperation.description`.
 */
export const DeleteStep = {
  GetVMStatus: "Set machine status to termination. Now, getting VM Status",
  InitiateDrain: "Initiate node drain",
  DelVolumesAttachments: "Delete Volume Attachments",
  InitiateVMDeletion: "Initiate VM deletion",
  InitiateNodeDeletion: "Initiate node object deletion",
  InitiateFinalizerRemoval: "Initiate machine object finalizer removal",
} as const;
export type DeleteStepKeyword = typeof DeleteStep[keyof typeof DeleteStep];

/** Other fixed descriptions. */
export const Description = {
  Creating: "Creating machine on cloud provider",
  CreatedTargetless: "Created machine on cloud provider",
  CloudProviderMessagePrefix: "Cloud provider message - ",
  OldNodeObject: "VM using old node obj",
  InitializeVM: "Initialize VM Instance",
  HealthTimeoutReset: "Machine Health Timeout was reset due to APIServer being unreachable",
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Types

/** Reference to the class of a Machine (`spec.class`). */
export interface ClassSpec {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

/** Per-machine overrides of the controller flags (inlined MachineConfiguration). Durations are Go durations. */
export interface MachineConfiguration {
  drainTimeout?: string;
  healthTimeout?: string;
  creationTimeout?: string;
  inPlaceUpdateTimeout?: string;
  machinePreserveTimeout?: string;
  disableHealthTimeout?: boolean;
  maxEvictRetries?: number;
  nodeConditions?: string;
}

/** `spec.nodeTemplate` of a Machine: metadata and spec applied to the Node. */
export interface NodeTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: NodeSpec;
}

export interface MachineSpec extends MachineConfiguration {
  class?: ClassSpec;
  providerID?: string;
  nodeTemplate?: NodeTemplateSpec;
}

export interface LastOperation {
  description?: string;
  errorCode?: string;
  lastUpdateTime?: string;
  state?: MachineState | string;
  type?: MachineOperationType | string;
}

export interface CurrentStatus {
  phase?: MachinePhase | string;
  timeoutActive?: boolean;
  lastUpdateTime?: string;
  preserveExpiryTime?: string;
}

export interface MachineStatus {
  addresses?: NodeAddress[];
  conditions?: NodeCondition[];
  lastOperation?: LastOperation;
  currentStatus?: CurrentStatus;
  lastKnownState?: string;
}

export interface Machine extends KubeObject {
  metadata: ObjectMeta;
  spec: MachineSpec;
  status?: MachineStatus;
}

export interface SecretReference {
  name?: string;
  namespace?: string;
}

/** `nodeTemplate` of a MachineClass (cluster-autoscaler scale-from-zero data). */
export interface MachineClassNodeTemplate {
  capacity?: Record<string, string | number>;
  virtualCapacity?: Record<string, string | number>;
  instanceType?: string;
  region?: string;
  zone?: string;
  architecture?: string;
  [k: string]: unknown;
}

/** A MachineClass has no `spec`: its fields are top-level. */
export interface MachineClass extends KubeObject {
  metadata: ObjectMeta;
  providerSpec: unknown;
  provider?: string;
  secretRef?: SecretReference;
  credentialsSecretRef?: SecretReference;
  nodeTemplate?: MachineClassNodeTemplate;
}

export interface MachineTemplateSpec {
  metadata?: Partial<ObjectMeta>;
  spec?: MachineSpec;
}

export interface MachineSummary {
  name?: string;
  providerID?: string;
  lastOperation?: LastOperation;
  ownerRef?: string;
}

export interface MachineSet extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    machineClass?: ClassSpec;
    template?: MachineTemplateSpec;
    minReadySeconds?: number;
    autoPreserveFailedMachineMax?: number;
  };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    preservedFailedReplicas?: number;
    observedGeneration?: number;
    machineSetCondition?: Array<
      { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }
    >;
    lastOperation?: LastOperation;
    failedMachines?: MachineSummary[];
    autoPreserveFailedMachineCount?: number;
  };
}

export type IntOrString = number | string;

export interface MachineDeploymentStrategy {
  type?: "Recreate" | "RollingUpdate" | "InPlaceUpdate" | string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
  inPlaceUpdate?: {
    maxSurge?: IntOrString;
    maxUnavailable?: IntOrString;
    orchestrationType?: "Auto" | "Manual" | string;
  };
}

export interface MachineDeployment extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template: MachineTemplateSpec;
    strategy?: MachineDeploymentStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    rollbackTo?: { revision?: number };
    progressDeadlineSeconds?: number;
    autoPreserveFailedMachineMax?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    preservedFailedReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Array<{
      type: string;
      status: string;
      lastUpdateTime?: string;
      lastTransitionTime?: string;
      reason?: string;
      message?: string;
    }>;
    collisionCount?: number;
    failedMachines?: MachineSummary[];
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas (what the machine controller decodes; unknown fields are kept, as the API server already pruned them)

const metadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
});

const classSpecSchema = z.looseObject({
  apiGroup: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
});

const nodeConditionSchema = z.looseObject({ type: z.string(), status: z.string() });

export const machineSpecSchema = z.looseObject({
  class: classSpecSchema.optional(),
  providerID: z.string().optional(),
  nodeTemplate: z.looseObject({
    metadata: z.looseObject({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    }).optional(),
    spec: z.looseObject({
      taints: z.array(z.looseObject({ key: z.string(), effect: z.string(), value: z.string().optional() }))
        .optional(),
    }).optional(),
  }).optional(),
  drainTimeout: z.string().optional(),
  healthTimeout: z.string().optional(),
  creationTimeout: z.string().optional(),
  inPlaceUpdateTimeout: z.string().optional(),
  machinePreserveTimeout: z.string().optional(),
  disableHealthTimeout: z.boolean().optional(),
  maxEvictRetries: z.number().int().optional(),
  nodeConditions: z.string().optional(),
});

/** Machine as stored (status optional). */
export const machineSchema = z.looseObject({
  metadata: metadataSchema,
  spec: machineSpecSchema.optional().default({}),
  status: z.looseObject({
    conditions: z.array(nodeConditionSchema).optional(),
    lastOperation: z.looseObject({}).optional(),
    currentStatus: z.looseObject({}).optional(),
    lastKnownState: z.string().optional(),
  }).optional(),
});

const secretRefSchema = z.looseObject({ name: z.string().optional(), namespace: z.string().optional() });

/** MachineClass as stored. */
export const machineClassSchema = z.looseObject({
  metadata: metadataSchema,
  providerSpec: z.custom<unknown>((v) => v !== undefined && v !== null, { message: "required" }),
  provider: z.string().optional(),
  secretRef: secretRefSchema.optional(),
  credentialsSecretRef: secretRefSchema.optional(),
  nodeTemplate: z.looseObject({
    capacity: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    virtualCapacity: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    instanceType: z.string().optional(),
    region: z.string().optional(),
    zone: z.string().optional(),
    architecture: z.string().optional(),
  }).optional(),
});

/** A decoding failure that names the object and the offending fields. */
export class DecodeError extends Error {
  constructor(readonly kind: string, readonly object: string, readonly issues: string[]) {
    super(`invalid ${kind} ${object}: ${issues.join("; ")}`);
    this.name = "DecodeError";
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

function objectName(raw: unknown): string {
  const md = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  const name = typeof md?.name === "string" ? md.name : "<unnamed>";
  return typeof md?.namespace === "string" ? `${md.namespace}/${name}` : name;
}

/** Decodes a Machine; throws DecodeError naming the field and the object. */
export function decodeMachine(raw: unknown): Machine {
  const r = machineSchema.safeParse(raw);
  if (!r.success) throw new DecodeError("Machine", objectName(raw), describeIssues(r.error));
  return r.data as unknown as Machine;
}

/** Decodes a MachineClass; throws DecodeError naming the field and the object. */
export function decodeMachineClass(raw: unknown): MachineClass {
  const r = machineClassSchema.safeParse(raw);
  if (!r.success) throw new DecodeError("MachineClass", objectName(raw), describeIssues(r.error));
  return r.data as unknown as MachineClass;
}

/** `status.currentStatus.phase`, `""` when unset. */
export function phaseOf(m: Machine): string {
  return m.status?.currentStatus?.phase ?? "";
}
