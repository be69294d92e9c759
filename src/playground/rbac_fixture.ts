/**
 * The seed RBAC of the extension, as the chart will grant it (`charts/gardener-extension-provider-equinix-metal`,
 * templates `serviceaccount.yaml` and `rbac.yaml`), written from what src/extension calls until the chart exists.
 * `rbac.ts` reads it in one place (`extensionSeedRbac`), so that the rendered chart can replace it.
 * `NAMESPACE` stands for the release's namespace.
 */
export const EXTENSION_SEED_RBAC_YAML = `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gardener-extension-provider-equinix-metal
  namespace: NAMESPACE
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: extensions.gardener.cloud:provider-equinix-metal
rules:
- apiGroups: [extensions.gardener.cloud]
  resources: [clusters]
  verbs: [get, list, watch]
- apiGroups: [extensions.gardener.cloud]
  resources: [infrastructures, controlplanes, workers]
  verbs: [get, list, watch, update, patch]
- apiGroups: [extensions.gardener.cloud]
  resources: [infrastructures/status, controlplanes/status, workers/status]
  verbs: [get, update, patch]
- apiGroups: [resources.gardener.cloud]
  resources: [managedresources]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [machine.sapcloud.io]
  resources: [machineclasses, machinedeployments, machinesets, machines]
  verbs: [get, list, watch, create, update, patch, delete, deletecollection]
- apiGroups: [""]
  resources: [secrets, configmaps, services, events]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [namespaces, nodes]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, update, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [autoscaling.k8s.io]
  resources: [verticalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [monitoring.coreos.com]
  resources: [servicemonitors, prometheusrules]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: extensions.gardener.cloud:provider-equinix-metal
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: extensions.gardener.cloud:provider-equinix-metal
subjects:
- kind: ServiceAccount
  name: gardener-extension-provider-equinix-metal
  namespace: NAMESPACE
`;
