/**
 * The resource types the project reads or writes, with group/version/plural/kind and scope. The client builds URLs
 * from these; the fake API server serves the built-in ones from the same table.
 */

/** A group/version/resource with its kind, scope and subresources. */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural, lower-case resource name used in URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  subresources?: Array<"status" | "scale" | "eviction">;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(r: Pick<ResourceType, "group" | "version">): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Human-readable `resource.group` (or `resource`), as kubectl prints it. */
export function resourceName(r: Pick<ResourceType, "group" | "resource">): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function res(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Pick<ResourceType, "shortNames" | "subresources"> = {},
): ResourceType {
  return { group, version, resource, kind, namespaced, ...extra };
}

/**
 * Built-in Kubernetes resources (served natively by the fake API server). Each table is named for its group and
 * version as client-go names a clientset's accessors (`CoreV1`, `MachineV1alpha1`), so a table never shares a name
 * with an API type (`Machine`) or with Gardener's `core` group (`src/apis/core`).
 */
export const CoreV1 = {
  namespaces: res("", "v1", "namespaces", "Namespace", false, { shortNames: ["ns"], subresources: ["status"] }),
  secrets: res("", "v1", "secrets", "Secret", true),
  configMaps: res("", "v1", "configmaps", "ConfigMap", true, { shortNames: ["cm"] }),
  services: res("", "v1", "services", "Service", true, { shortNames: ["svc"], subresources: ["status"] }),
  serviceAccounts: res("", "v1", "serviceaccounts", "ServiceAccount", true, { shortNames: ["sa"] }),
  events: res("", "v1", "events", "Event", true, { shortNames: ["ev"] }),
  nodes: res("", "v1", "nodes", "Node", false, { shortNames: ["no"], subresources: ["status"] }),
  pods: res("", "v1", "pods", "Pod", true, { shortNames: ["po"], subresources: ["status", "eviction"] }),
  persistentVolumes: res("", "v1", "persistentvolumes", "PersistentVolume", false, {
    shortNames: ["pv"],
    subresources: ["status"],
  }),
  persistentVolumeClaims: res("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, {
    shortNames: ["pvc"],
    subresources: ["status"],
  }),
  endpoints: res("", "v1", "endpoints", "Endpoints", true, { shortNames: ["ep"] }),
} as const;

export const AppsV1 = {
  deployments: res("apps", "v1", "deployments", "Deployment", true, {
    shortNames: ["deploy"],
    subresources: ["status", "scale"],
  }),
  statefulSets: res("apps", "v1", "statefulsets", "StatefulSet", true, {
    shortNames: ["sts"],
    subresources: ["status", "scale"],
  }),
  daemonSets: res("apps", "v1", "daemonsets", "DaemonSet", true, { shortNames: ["ds"], subresources: ["status"] }),
  replicaSets: res("apps", "v1", "replicasets", "ReplicaSet", true, {
    shortNames: ["rs"],
    subresources: ["status", "scale"],
  }),
} as const;

export const CoordinationV1 = {
  leases: res("coordination.k8s.io", "v1", "leases", "Lease", true),
} as const;

export const PolicyV1 = {
  podDisruptionBudgets: res("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, {
    shortNames: ["pdb"],
    subresources: ["status"],
  }),
} as const;

export const RbacV1 = {
  roles: res("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
  roleBindings: res("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
  clusterRoles: res("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
  clusterRoleBindings: res("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
} as const;

export const StorageV1 = {
  volumeAttachments: res("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false, {
    subresources: ["status"],
  }),
  storageClasses: res("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, { shortNames: ["sc"] }),
} as const;

export const AdmissionregistrationV1 = {
  mutatingWebhookConfigurations: res(
    "admissionregistration.k8s.io",
    "v1",
    "mutatingwebhookconfigurations",
    "MutatingWebhookConfiguration",
    false,
  ),
  validatingWebhookConfigurations: res(
    "admissionregistration.k8s.io",
    "v1",
    "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration",
    false,
  ),
} as const;

export const ApiextensionsV1 = {
  customResourceDefinitions: res(
    "apiextensions.k8s.io",
    "v1",
    "customresourcedefinitions",
    "CustomResourceDefinition",
    false,
    {
      shortNames: ["crd", "crds"],
      subresources: ["status"],
    },
  ),
} as const;

/** Every built-in resource type, for registries and discovery. */
export const BuiltinResources: readonly ResourceType[] = [
  ...Object.values(CoreV1),
  ...Object.values(AppsV1),
  ...Object.values(CoordinationV1),
  ...Object.values(PolicyV1),
  ...Object.values(RbacV1),
  ...Object.values(StorageV1),
  ...Object.values(AdmissionregistrationV1),
  ...Object.values(ApiextensionsV1),
];

/** machine.sapcloud.io (MCM), installed from CRDs. */
export const MachineV1alpha1 = {
  machines: res("machine.sapcloud.io", "v1alpha1", "machines", "Machine", true, {
    shortNames: ["mc"],
    subresources: ["status"],
  }),
  machineSets: res("machine.sapcloud.io", "v1alpha1", "machinesets", "MachineSet", true, {
    shortNames: ["mcs"],
    subresources: ["status", "scale"],
  }),
  machineDeployments: res("machine.sapcloud.io", "v1alpha1", "machinedeployments", "MachineDeployment", true, {
    shortNames: ["mcd"],
    subresources: ["status", "scale"],
  }),
  machineClasses: res("machine.sapcloud.io", "v1alpha1", "machineclasses", "MachineClass", true, {
    shortNames: ["mcc"],
  }),
} as const;

/** extensions.gardener.cloud, installed from CRDs. */
export const ExtensionsV1alpha1 = {
  clusters: res("extensions.gardener.cloud", "v1alpha1", "clusters", "Cluster", false),
  infrastructures: res("extensions.gardener.cloud", "v1alpha1", "infrastructures", "Infrastructure", true, {
    shortNames: ["infra"],
    subresources: ["status"],
  }),
  controlPlanes: res("extensions.gardener.cloud", "v1alpha1", "controlplanes", "ControlPlane", true, {
    shortNames: ["cp"],
    subresources: ["status"],
  }),
  workers: res("extensions.gardener.cloud", "v1alpha1", "workers", "Worker", true, { subresources: ["status"] }),
  operatingSystemConfigs: res(
    "extensions.gardener.cloud",
    "v1alpha1",
    "operatingsystemconfigs",
    "OperatingSystemConfig",
    true,
    { shortNames: ["osc"], subresources: ["status"] },
  ),
} as const;

/** autoscaling.k8s.io (VPA), installed from CRDs. */
export const AutoscalingV1 = {
  verticalPodAutoscalers: res("autoscaling.k8s.io", "v1", "verticalpodautoscalers", "VerticalPodAutoscaler", true, {
    shortNames: ["vpa"],
    subresources: ["status"],
  }),
} as const;

/** monitoring.coreos.com (Prometheus operator), installed from CRDs. */
export const MonitoringV1 = {
  serviceMonitors: res("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true, {
    shortNames: ["smon"],
    subresources: ["status"],
  }),
  prometheusRules: res("monitoring.coreos.com", "v1", "prometheusrules", "PrometheusRule", true, {
    shortNames: ["promrule"],
    subresources: ["status"],
  }),
} as const;

/** resources.gardener.cloud, installed from CRDs. */
export const ResourcesV1alpha1 = {
  managedResources: res("resources.gardener.cloud", "v1alpha1", "managedresources", "ManagedResource", true, {
    shortNames: ["mr"],
    subresources: ["status"],
  }),
} as const;

/** core.gardener.cloud as the garden serves it (Gardener's aggregated API server; CRDs of our own in the fake). */
export const CoreGardenerV1beta1 = {
  shoots: res("core.gardener.cloud", "v1beta1", "shoots", "Shoot", true, { subresources: ["status"] }),
  cloudProfiles: res("core.gardener.cloud", "v1beta1", "cloudprofiles", "CloudProfile", false, {
    shortNames: ["cprofile", "cpfl"],
  }),
  namespacedCloudProfiles: res(
    "core.gardener.cloud",
    "v1beta1",
    "namespacedcloudprofiles",
    "NamespacedCloudProfile",
    true,
    { shortNames: ["nscpfl"], subresources: ["status"] },
  ),
  secretBindings: res("core.gardener.cloud", "v1beta1", "secretbindings", "SecretBinding", true, {
    shortNames: ["sb"],
  }),
  internalSecrets: res("core.gardener.cloud", "v1beta1", "internalsecrets", "InternalSecret", true),
} as const;

/** security.gardener.cloud as the garden serves it. */
export const SecurityGardenerV1alpha1 = {
  credentialsBindings: res("security.gardener.cloud", "v1alpha1", "credentialsbindings", "CredentialsBinding", true, {
    shortNames: ["cb"],
  }),
  workloadIdentities: res("security.gardener.cloud", "v1alpha1", "workloadidentities", "WorkloadIdentity", true, {
    shortNames: ["wi"],
  }),
} as const;
