{{/* The admission's name: its Service, ServiceAccount, RBAC objects and (with -leader-election) its Lease. */}}
{{- define "name" -}}
gardener-extension-admission-equinix-metal
{{- end -}}

{{- define "labels" -}}
app.kubernetes.io/name: {{ include "name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "leaderelectionid" -}}
{{ include "name" . }}-leader-election
{{- end -}}

{{/* The values gardener-operator injects (absent when the chart is installed by hand). */}}
{{- define "virtualCluster" -}}
{{- toYaml (((.Values.gardener | default dict).virtualCluster) | default dict) -}}
{{- end -}}

{{/* Where the admission keeps its Lease and certificate Secrets in the garden it talks to. */}}
{{- define "gardenNamespace" -}}
{{- $vc := include "virtualCluster" . | fromYaml -}}
{{- if $vc.enabled -}}{{ $vc.namespace | default "garden" }}{{- else -}}{{ .Release.Namespace }}{{- end -}}
{{- end -}}
