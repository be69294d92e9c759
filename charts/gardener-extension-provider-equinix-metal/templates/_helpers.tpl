{{/* The name of every object: the webhook configurations point at a Service of exactly this name. */}}
{{- define "name" -}}
gardener-extension-provider-equinix-metal
{{- end -}}

{{- define "labels.app.key" -}}
app.kubernetes.io/name
{{- end -}}

{{- define "labels.app.value" -}}
{{ include "name" . }}
{{- end -}}

{{/* Labels of every object, and the Deployment's selector. */}}
{{- define "labels" -}}
{{ include "labels.app.key" . }}: {{ include "labels.app.value" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Where the ControllerConfiguration is mounted. */}}
{{- define "config.dir" -}}
/etc/{{ include "name" . }}/config
{{- end -}}

{{/* The seed's values, or an empty dict where gardenlet sends none (self-hosted shoots). */}}
{{- define "seed" -}}
{{- toYaml ((.Values.gardener | default dict).seed | default dict) -}}
{{- end -}}

{{/* Priority class: the operator's for a garden runtime cluster, else Gardener's for extensions in a seed. */}}
{{- define "priorityClassName" -}}
{{- $runtime := (.Values.gardener | default dict).runtimeCluster | default dict -}}
{{- if and $runtime.enabled $runtime.priorityClassName -}}
{{ $runtime.priorityClassName }}
{{- else -}}
gardener-system-900
{{- end -}}
{{- end -}}
