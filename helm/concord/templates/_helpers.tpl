{{/* The release's full name, cut to the 63 characters a Kubernetes name may have. */}}
{{- define "concord.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "concord.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "concord.labels" -}}
{{ include "concord.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "concord.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "concord.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "concord.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding DATABASE_URL and the rest: the operator's own, or the chart's. */}}
{{- define "concord.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "concord.fullname" .) -}}
{{- end -}}

{{/* What the pods run as: not root, no privilege to gain, nothing written but /tmp. */}}
{{- define "concord.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "concord.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* A secret setting as an environment variable; `optional` for settings Concord can do without. */}}
{{- define "concord.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "concord.secretName" .root }}
      key: {{ .name }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
The environment of the API and the workers: the ConfigMap's settings, the secret ones, and
the key files. A process does not migrate (the migration Job has, before it starts) and
refuses to start on a schema older than itself.
*/}}
{{- define "concord.processEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "concord.fullname" . }}
env:
  {{- include "concord.secretEnv" (dict "root" . "name" "DATABASE_URL") | nindent 2 }}
  {{- include "concord.secretEnv" (dict "root" . "name" "REDIS_URL") | nindent 2 }}
  {{- include "concord.secretEnv" (dict "root" . "name" "CONCORD_SMTP_PASSWORD" "optional" true) | nindent 2 }}
  {{- include "concord.secretEnv" (dict "root" . "name" "CONCORD_STORAGE_S3_ACCESS_KEY_ID" "optional" true) | nindent 2 }}
  {{- include "concord.secretEnv" (dict "root" . "name" "CONCORD_STORAGE_S3_SECRET_ACCESS_KEY" "optional" true) | nindent 2 }}
  {{- include "concord.secretEnv" (dict "root" . "name" "CONCORD_METRICS_TOKEN" "optional" true) | nindent 2 }}
{{- end -}}

{{- define "concord.volumeMounts" -}}
- name: keys
  mountPath: /etc/concord/keys
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "concord.volumes" -}}
- name: keys
  secret:
    secretName: {{ include "concord.secretName" . }}
    defaultMode: 0440
    items:
      - key: jwt-private.pem
        path: jwt-private.pem
      - key: jwt-public.pem
        path: jwt-public.pem
      - key: ssn.key
        path: ssn.key
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{/* Rolls the pods when a setting or a secret the chart writes changes. */}}
{{- define "concord.configChecksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}

{{- define "concord.apiReplicas" -}}
{{- if .Values.api.autoscaling.enabled -}}
{{- .Values.api.autoscaling.minReplicas -}}
{{- else -}}
{{- .Values.api.replicas -}}
{{- end -}}
{{- end -}}

{{/* DNS, then what the operator allows (the database, Redis, SMTP, object storage). */}}
{{- define "concord.egressRules" -}}
- ports:
    - { port: 53, protocol: UDP }
    - { port: 53, protocol: TCP }
{{- with .Values.networkPolicy.egress }}
{{ toYaml . }}
{{- end }}
{{- end -}}
