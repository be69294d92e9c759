/**
 * SIMULATION: the keys, reasons and messages machine-controller-manager's MachineDeployment and MachineSet
 * controllers write (exact strings: Gardener and kubectl read them), and the limits those controllers work with.
 */

/** Label and selector key that ties a MachineSet and its Machines to one template of a MachineDeployment. */
export const LABEL_TEMPLATE_HASH = "machine-template-hash";

/** Revision of the template a MachineSet serves (on MachineSets and on their MachineDeployment). */
export const ANNOTATION_REVISION = "deployment.kubernetes.io/revision";
/** Earlier revisions a MachineSet served (after a rollback to it). */
export const ANNOTATION_REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
/** `spec.replicas` of the deployment when the MachineSet was last scaled; a mismatch marks a scaling event. */
export const ANNOTATION_DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
/** `spec.replicas + maxSurge` of the deployment when the MachineSet was last scaled (proportional scaling). */
export const ANNOTATION_MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
/** Set by MCM on old MachineSets during a rolling update (it taints their nodes PreferNoSchedule). */
export const ANNOTATION_PREFER_NO_SCHEDULE = "deployment.machine.sapcloud.io/prefer-no-schedule";
/** kubectl's last-applied configuration: never copied from a deployment to its MachineSets. */
export const ANNOTATION_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Deployment annotations MCM does not copy onto MachineSets. */
export const ANNOTATIONS_NOT_COPIED: ReadonlySet<string> = new Set([
  ANNOTATION_LAST_APPLIED,
  ANNOTATION_REVISION,
  ANNOTATION_REVISION_HISTORY,
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  ANNOTATION_PREFER_NO_SCHEDULE,
]);

/** Machine annotation values that keep a Failed machine (preservation). */
export const PRESERVE_VALUES: ReadonlySet<string> = new Set(["now", "when-failed", "auto-preserved"]);
/** The value the MachineSet sets on the Failed machines it preserves on its own (`autoPreserveFailedMachineMax`). */
export const PRESERVE_AUTO = "auto-preserved";
/** Every value MCM accepts (a machine carrying one is never auto-preserved). */
export const PRESERVE_ANNOTATION_VALUES: ReadonlySet<string> = new Set([...PRESERVE_VALUES, "false"]);

/** Most machines one MachineSet sync creates or deletes (MCM's BurstReplicas). */
export const BURST_REPLICAS = 100;
/** First batch of machine creations; batches double while they succeed (MCM's slow start). */
export const SLOW_START_INITIAL_BATCH = 1;
/** MCM resyncs every MachineSet and MachineDeployment this often. */
export const RESYNC_MS = 10 * 60_000;

/** MachineSet condition type and reasons. */
export const MachineSetConditionType = { ReplicaFailure: "ReplicaFailure", Frozen: "Frozen" } as const;
export const REASON_FAILED_CREATE = "FailedCreate";
export const REASON_FAILED_DELETE = "FailedDelete";

/** MachineDeployment condition types. */
export const DeploymentConditionType = {
  Available: "Available",
  Progressing: "Progressing",
  ReplicaFailure: "ReplicaFailure",
  Frozen: "Frozen",
} as const;

/** MachineDeployment condition reasons (MCM's deployment_util.go). */
export const DeploymentReason = {
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
  NewMachineSetCreated: "NewMachineSetCreated",
  FoundNewMachineSet: "FoundNewMachineSet",
  NewMachineSetAvailable: "NewMachineSetAvailable",
  MachineSetUpdated: "MachineSetUpdated",
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  MachineSetCreateError: "MachineSetCreateError",
} as const;

export const MESSAGE_MINIMUM_AVAILABLE = "Deployment has minimum availability.";
export const MESSAGE_MINIMUM_UNAVAILABLE = "Deployment does not have minimum availability.";

/** What MCM writes into a Machine's status the moment it deletes it. */
export const TERMINATING_STATUS = {
  description: "Deleting machine from cloud provider",
  state: "Processing",
  type: "Delete",
  phase: "Terminating",
} as const;

/** Field manager of every write of the simulation. */
export const FIELD_MANAGER = "machine-controller-manager-simulation";
