{{/* Chart name, overridable. */}}
{{- define "tollgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, unless the release already contains the chart's name. */}}
{{- define "tollgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tollgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tollgate.labels" -}}
helm.sh/chart: {{ include "tollgate.chart" . }}
{{ include "tollgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tollgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tollgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The environment variable that carries one provider's upstream keys, e.g. TOLLGATE_PROVIDER_AZURE_EAST_API_KEYS. */}}
{{- define "tollgate.providerKeysEnv" -}}
{{- printf "TOLLGATE_PROVIDER_%s_API_KEYS" (regexReplaceAll "[^A-Za-z0-9]" . "_" | upper) }}
{{- end }}

{{/*
Tollgate's application.yaml for the ConfigMap: plain settings only. Credentials appear as ${ENV} placeholders that
Spring resolves from environment variables filled by secretKeyRef, so no secret value is ever in a ConfigMap.
*/}}
{{- define "tollgate.applicationConfig" -}}
{{- $providers := dict }}
{{- range $name, $provider := .Values.providers }}
{{- $entry := dict "type" $provider.type }}
{{- with $provider.baseUrl }}
{{- $_ := set $entry "base-url" . }}
{{- end }}
{{- if and $provider.apiKeys $provider.apiKeys.existingSecret }}
{{- $_ := set $entry "api-keys" (printf "${%s}" (include "tollgate.providerKeysEnv" $name)) }}
{{- end }}
{{- with $provider.settings }}
{{- $entry = mustMergeOverwrite (deepCopy .) $entry }}
{{- end }}
{{- $_ := set $providers $name $entry }}
{{- end }}
{{- $tollgate := dict "providers" $providers "database" (dict "embedded" false) }}
{{- with .Values.pricing.defaultMarkup }}
{{- $_ := set $tollgate "pricing" (dict "default-markup" .) }}
{{- end }}
{{- with .Values.credits.signupBonusUsd }}
{{- $_ := set $tollgate "credits" (dict "signup-bonus-usd" .) }}
{{- end }}
{{- $stripe := dict }}
{{- if .Values.stripe.existingSecret }}
{{- $_ := set $stripe "secret-key" "${TOLLGATE_STRIPE_SECRET_KEY}" }}
{{- $_ := set $stripe "webhook-secret" "${TOLLGATE_STRIPE_WEBHOOK_SECRET}" }}
{{- end }}
{{- with .Values.stripe.apiBase }}
{{- $_ := set $stripe "api-base" . }}
{{- end }}
{{- if $stripe }}
{{- $_ := set $tollgate "stripe" $stripe }}
{{- end }}
{{- $logging := dict }}
{{- with .Values.logging.structuredFormat }}
{{- $_ := set $logging "structured" (dict "format" (dict "console" .)) }}
{{- end }}
{{- with .Values.logging.levels }}
{{- $_ := set $logging "level" . }}
{{- end }}
{{- $config := dict
  "server" (dict "port" 8080 "shutdown" "graceful")
  "management" (dict "server" (dict "port" (int .Values.managementPort)))
  "spring" (dict "lifecycle" (dict "timeout-per-shutdown-phase" (printf "%ds" (int .Values.shutdown.timeoutSeconds))))
  "tollgate" $tollgate }}
{{- if $logging }}
{{- $_ := set $config "logging" $logging }}
{{- end }}
{{- toYaml (mustMergeOverwrite $config (deepCopy .Values.config)) }}
{{- end }}

{{/*
Refuses values that would put a credential in a manifest: a secret-looking key under `config` or a provider's
`settings` (unless its value is a ${ENV} placeholder), or a plain `value` for a secret-looking name in `extraEnv`.
Credentials belong in a Secret, referenced with secretKeyRef. Also checks the shutdown timings add up.
*/}}
{{- define "tollgate.refusePlainSecrets" -}}
{{- $secretish := "(?i)(password|passwd|secret|apikey|credential|authorization|\\btoken\\b|signup-code|-keys?:$)" }}
{{- $plain := list .Values.config }}
{{- range .Values.providers }}
{{- $plain = append $plain (default (dict) .settings) }}
{{- end }}
{{- range $line := splitList "\n" (toYaml $plain) }}
{{- $key := regexFind "^\\s*-?\\s*[^:#\\s][^:]*:" $line }}
{{- /* A value that is a ${ENV} placeholder is fine: the credential itself comes from a secretKeyRef. */}}
{{- if and $key (regexMatch $secretish $key) (not (contains "${" $line)) }}
{{- fail (printf "config and providers.*.settings must not hold credentials (%s): put it in a Secret and reference it (see helm/README.md)" (trimSuffix ":" (trim $key))) }}
{{- end }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if and (hasKey . "value") (regexMatch "(?i)(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|AUTHORIZATION|KEYS?$|SIGNUP_?CODE|R2DBC_URL|REDIS_URL)" .name) }}
{{- fail (printf "extraEnv %s looks like a credential: use valueFrom.secretKeyRef instead of value" .name) }}
{{- end }}
{{- end }}
{{- $window := add (int .Values.shutdown.preStopSleepSeconds) (int .Values.shutdown.timeoutSeconds) }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $window) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed shutdown.preStopSleepSeconds + shutdown.timeoutSeconds (%d), or Kubernetes kills streams still finishing" (int .Values.terminationGracePeriodSeconds) (int $window)) }}
{{- end }}
{{- end }}
