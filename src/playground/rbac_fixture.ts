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
  resources: [infrastructures, workers, controlplanes]
  verbs: [get, list, watch, patch]
- apiGroups: [extensions.gardener.cloud]
  resources: [infrastructures/status, workers/status, controlplanes/status]
  verbs: [patch]
- apiGroups: [extensions.gardener.cloud]
  resources: [workers/status, controlplanes/status]
  verbs: [update]
- apiGroups: [resources.gardener.cloud]
  resources: [managedresources]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [machine.sapcloud.io]
  resources: [machinedeployments]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [machine.sapcloud.io]
  resources: [machineclasses]
  verbs: [get, list, create, patch, delete]
- apiGroups: [machine.sapcloud.io]
  resources: [machines]
  verbs: [list, watch, create, patch]
- apiGroups: [machine.sapcloud.io]
  resources: [machinesets]
  verbs: [list, create]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [update]
- apiGroups: [""]
  resources: [services]
  verbs: [get, create, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, create, patch, delete]
- apiGroups: [autoscaling.k8s.io]
  resources: [verticalpodautoscalers]
  verbs: [get, create, patch, delete]
- apiGroups: [monitoring.coreos.com]
  resources: [servicemonitors, prometheusrules]
  verbs: [get, create, patch, delete]
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations]
  verbs: [get, create, update]
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
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
