{{/* Labels on every object: the same as `updraft install` prints (no helm.sh/chart, so that the two render the same objects). */}}
{{- define "updraft.labels" -}}
app.kubernetes.io/name: updraft
app.kubernetes.io/part-of: updraft
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The namespaces Secrets and ConfigMaps may be read in: the release namespace first, then the named (or watched) ones; "*" for all. */}}
{{- define "updraft.secretNamespaces" -}}
{{- if has "*" .Values.secretNamespaces -}}
*
{{- else -}}
{{- $named := .Values.secretNamespaces | default .Values.watchNamespaces -}}
{{- prepend $named .Release.Namespace | uniq | join "," -}}
{{- end -}}
{{- end -}}
