/**
 * The seed RBAC of the extension as the chart grants it: the rules of
 * `charts/gardener-extension-provider-equinix-metal/templates/rbac.yaml` (its only template actions are
 * `.Release.Namespace` and `.Release.Name`), kept here until the chart is on this branch; `rbac.ts` renders it in one
 * place (`extensionSeedRbac`), so that reading the chart's file instead is one change. The ServiceAccount is the
 * chart's `serviceaccount.yaml`.
 */
export const EXTENSION_SEED_RBAC_TEMPLATE = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: gardener-extension-provider-equinix-metal
  namespace: {{ .Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: gardener-extension-provider-equinix-metal
  labels:
    app.kubernetes.io/name: gardener-extension-provider-equinix-metal
    app.kubernetes.io/instance: {{ .Release.Name }}
rules:
- apiGroups: ["extensions.gardener.cloud"]
  resources: ["clusters"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["extensions.gardener.cloud"]
  resources: ["infrastructures", "controlplanes", "workers"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["extensions.gardener.cloud"]
  resources: ["infrastructures/status"]
  verbs: ["patch"]
- apiGroups: ["extensions.gardener.cloud"]
  resources: ["controlplanes/status", "workers/status"]
  verbs: ["patch", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "delete"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  verbs: ["patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["autoscaling.k8s.io"]
  resources: ["verticalpodautoscalers"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors", "prometheusrules"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["resources.gardener.cloud"]
  resources: ["managedresources"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["machine.sapcloud.io"]
  resources: ["machineclasses"]
  verbs: ["get", "list", "create", "patch", "delete"]
- apiGroups: ["machine.sapcloud.io"]
  resources: ["machinedeployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["machine.sapcloud.io"]
  resources: ["machinesets"]
  verbs: ["list", "create"]
- apiGroups: ["machine.sapcloud.io"]
  resources: ["machines"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations"]
  verbs: ["create"]
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations"]
  resourceNames: ["gardener-extension-provider-equinix-metal"]
  verbs: ["get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gardener-extension-provider-equinix-metal
  labels:
    app.kubernetes.io/name: gardener-extension-provider-equinix-metal
    app.kubernetes.io/instance: {{ .Release.Name }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: gardener-extension-provider-equinix-metal
subjects:
- kind: ServiceAccount
  name: gardener-extension-provider-equinix-metal
  namespace: {{ .Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: gardener-extension-provider-equinix-metal
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: gardener-extension-provider-equinix-metal
    app.kubernetes.io/instance: {{ .Release.Name }}
rules:
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: ["provider-equinix-metal-leader-election", "gardener-extension-heartbeat"]
  verbs: ["get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: gardener-extension-provider-equinix-metal
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: gardener-extension-provider-equinix-metal
    app.kubernetes.io/instance: {{ .Release.Name }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: gardener-extension-provider-equinix-metal
subjects:
- kind: ServiceAccount
  name: gardener-extension-provider-equinix-metal
  namespace: {{ .Release.Namespace }}
`;
