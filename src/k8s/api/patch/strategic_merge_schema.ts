/**
 * Patch strategies of the built-in types we patch, from the `patchStrategy`/`patchMergeKey` struct tags of
 * k8s.io/api (v1.30) and k8s.io/apimachinery. A list not named here has no strategy and is replaced by a patch;
 * maps (labels, annotations, ...) always merge key by key.
 *
 * | Field                                                    | Strategy          | Merge key     | Source (k8s.io/api)          |
 * | -------------------------------------------------------- | ----------------- | ------------- | ---------------------------- |
 * | ObjectMeta.finalizers                                    | merge (set)       | -             | apimachinery meta/v1/types.go |
 * | ObjectMeta.ownerReferences                               | merge             | uid           | apimachinery meta/v1/types.go |
 * | PodSpec.containers / initContainers / ephemeralContainers | merge             | name          | core/v1/types.go             |
 * | PodSpec.volumes                                          | merge, retainKeys | name          | core/v1/types.go             |
 * | PodSpec.imagePullSecrets                                 | merge             | name          | core/v1/types.go             |
 * | PodSpec.hostAliases                                      | merge             | ip            | core/v1/types.go             |
 * | PodSpec.topologySpreadConstraints                        | merge             | topologyKey   | core/v1/types.go             |
 * | PodSpec.resourceClaims                                   | merge, retainKeys | name          | core/v1/types.go             |
 * | PodSpec.schedulingGates                                  | merge             | name          | core/v1/types.go             |
 * | PodSpec.tolerations, readinessGates, Container.envFrom   | (none) replace    | -             | core/v1/types.go             |
 * | Container.env                                            | merge             | name          | core/v1/types.go             |
 * | Container.ports                                          | merge             | containerPort | core/v1/types.go             |
 * | Container.volumeMounts                                   | merge             | mountPath     | core/v1/types.go             |
 * | Container.volumeDevices                                  | merge             | devicePath    | core/v1/types.go             |
 * | PodStatus.conditions                                     | merge             | type          | core/v1/types.go             |
 * | PodStatus.podIPs / hostIPs                               | merge             | ip            | core/v1/types.go             |
 * | NodeSpec.podCIDRs                                        | merge (set)       | -             | core/v1/types.go             |
 * | NodeSpec.taints                                          | (none) replace    | -             | core/v1/types.go             |
 * | NodeStatus.conditions / addresses                        | merge             | type          | core/v1/types.go             |
 * | NamespaceStatus / PersistentVolumeClaimStatus conditions | merge             | type          | core/v1/types.go             |
 * | ServiceSpec.ports                                        | merge             | port          | core/v1/types.go             |
 * | ServiceStatus.conditions                                 | merge             | type          | core/v1/types.go             |
 * | ServiceAccount.secrets                                   | merge             | name          | core/v1/types.go             |
 * | ServiceAccount.imagePullSecrets                          | (none) replace    | -             | core/v1/types.go             |
 * | DeploymentSpec.strategy                                  | retainKeys        | -             | apps/v1/types.go             |
 * | Deployment/ReplicaSet/StatefulSet/DaemonSet status.conditions | merge        | type          | apps/v1/types.go             |
 * | StatefulSetSpec.volumeClaimTemplates                     | (none) replace    | -             | apps/v1/types.go             |
 * | JobStatus.conditions                                     | merge             | type          | batch/v1/types.go            |
 * | PodDisruptionBudgetStatus.conditions                     | merge             | type          | policy/v1/types.go           |
 * | HorizontalPodAutoscalerStatus.conditions                 | merge             | type          | autoscaling/v2/types.go      |
 * | Mutating/ValidatingWebhookConfiguration.webhooks         | merge             | name          | admissionregistration/v1/types.go |
 * | Role/ClusterRole.rules, RoleBinding/ClusterRoleBinding.subjects | (none) replace | -         | rbac/v1/types.go             |
 * | CustomResourceDefinition (all lists)                     | (none) replace    | -             | apiextensions-apiserver v1   |
 */

/** Strategy of a list field. */
export interface ListStrategy {
  /** Key that identifies items of a merged list of objects; absent for merged lists of scalars (sets). */
  mergeKey?: string;
  /** Items that are objects keep only the fields named in their `$retainKeys`. */
  retainKeys?: boolean;
  /** Type of the items (for nested strategies). */
  items?: string;
}

/** Patch metadata of one field of a struct. */
export interface FieldStrategy {
  /** A merged list (lists without this are replaced). */
  list?: ListStrategy;
  /** Struct type of the field (an object), by name in `TYPES`. */
  type?: string;
}

/** Struct types by name: field name → strategy. */
export const TYPES: Record<string, Record<string, FieldStrategy>> = {
  ObjectMeta: {
    finalizers: { list: {} },
    ownerReferences: { list: { mergeKey: "uid" } },
  },
  PodTemplateSpec: { metadata: { type: "ObjectMeta" }, spec: { type: "PodSpec" } },
  PodSpec: {
    containers: { list: { mergeKey: "name", items: "Container" } },
    initContainers: { list: { mergeKey: "name", items: "Container" } },
    ephemeralContainers: { list: { mergeKey: "name", items: "Container" } },
    volumes: { list: { mergeKey: "name", retainKeys: true } },
    imagePullSecrets: { list: { mergeKey: "name" } },
    hostAliases: { list: { mergeKey: "ip" } },
    topologySpreadConstraints: { list: { mergeKey: "topologyKey" } },
    resourceClaims: { list: { mergeKey: "name", retainKeys: true } },
    schedulingGates: { list: { mergeKey: "name" } },
  },
  Container: {
    env: { list: { mergeKey: "name" } },
    ports: { list: { mergeKey: "containerPort" } },
    volumeMounts: { list: { mergeKey: "mountPath" } },
    volumeDevices: { list: { mergeKey: "devicePath" } },
  },
  PodStatus: {
    conditions: { list: { mergeKey: "type" } },
    podIPs: { list: { mergeKey: "ip" } },
    hostIPs: { list: { mergeKey: "ip" } },
  },
  NodeSpec: { podCIDRs: { list: {} } },
  NodeStatus: {
    conditions: { list: { mergeKey: "type" } },
    addresses: { list: { mergeKey: "type" } },
  },
  ConditionsStatus: { conditions: { list: { mergeKey: "type" } } },
  ServiceSpec: { ports: { list: { mergeKey: "port" } } },
  DeploymentSpec: {
    template: { type: "PodTemplateSpec" },
    strategy: { type: "RetainKeys" },
  },
  WorkloadSpec: { template: { type: "PodTemplateSpec" } },
  JobSpec: { template: { type: "PodTemplateSpec" } },
  JobTemplateSpec: { metadata: { type: "ObjectMeta" }, spec: { type: "JobSpec" } },
  CronJobSpec: { jobTemplate: { type: "JobTemplateSpec" } },
  /** A struct whose own patch strategy is retainKeys; `$retainKeys` in the patch is honoured anywhere anyway. */
  RetainKeys: {},
};

/** Root struct of each built-in kind we know, by `group/Kind` ("" for the core group). */
export const KINDS: Record<string, Record<string, FieldStrategy>> = {
  "/Pod": { spec: { type: "PodSpec" }, status: { type: "PodStatus" } },
  "/PodTemplate": { template: { type: "PodTemplateSpec" } },
  "/ReplicationController": { spec: { type: "WorkloadSpec" }, status: { type: "ConditionsStatus" } },
  "/Node": { spec: { type: "NodeSpec" }, status: { type: "NodeStatus" } },
  "/Namespace": { status: { type: "ConditionsStatus" } },
  "/PersistentVolumeClaim": { status: { type: "ConditionsStatus" } },
  "/Service": { spec: { type: "ServiceSpec" }, status: { type: "ConditionsStatus" } },
  "/ServiceAccount": { secrets: { list: { mergeKey: "name" } } },
  "apps/Deployment": { spec: { type: "DeploymentSpec" }, status: { type: "ConditionsStatus" } },
  "apps/ReplicaSet": { spec: { type: "WorkloadSpec" }, status: { type: "ConditionsStatus" } },
  "apps/StatefulSet": { spec: { type: "WorkloadSpec" }, status: { type: "ConditionsStatus" } },
  "apps/DaemonSet": { spec: { type: "WorkloadSpec" }, status: { type: "ConditionsStatus" } },
  "batch/Job": { spec: { type: "JobSpec" }, status: { type: "ConditionsStatus" } },
  "batch/CronJob": { spec: { type: "CronJobSpec" } },
  "policy/PodDisruptionBudget": { status: { type: "ConditionsStatus" } },
  "autoscaling/HorizontalPodAutoscaler": { status: { type: "ConditionsStatus" } },
  "admissionregistration.k8s.io/MutatingWebhookConfiguration": { webhooks: { list: { mergeKey: "name" } } },
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration": { webhooks: { list: { mergeKey: "name" } } },
};

/** Fields of the root struct of a kind: every kind has ObjectMeta as `metadata`. */
export function rootFields(group: string, kind: string): Record<string, FieldStrategy> {
  return { metadata: { type: "ObjectMeta" }, ...KINDS[`${group}/${kind}`] };
}

/** Groups kube-apiserver serves natively: strategic merge patch is defined for their types. */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  "",
  "apps",
  "batch",
  "policy",
  "autoscaling",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "coordination.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "networking.k8s.io",
  "events.k8s.io",
  "discovery.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
  "certificates.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "apiregistration.k8s.io",
]);
