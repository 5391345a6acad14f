package dev.tollgate.deploy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static dev.tollgate.deploy.RenderedChart.at;
import static dev.tollgate.deploy.RenderedChart.listAt;
import static dev.tollgate.deploy.RenderedChart.mapAt;
import static dev.tollgate.deploy.RenderedChart.stringAt;
import static dev.tollgate.deploy.RenderedChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

/** The Helm chart in {@code helm/tollgate}, linted and rendered by Helm itself, with the manifests asserted. */
class HelmChartTests {

    @Test
    void theChartPassesHelmLintInStrictMode() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Test
    void byDefaultTwoReplicasRunWithoutAutoscalerOrIngressAndADisruptionBudgetOfOne() {
        RenderedChart chart = render(Map.of());

        assertThat(chart.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment",
                "PodDisruptionBudget");
        assertThat(at(chart.one("Deployment"), "spec.replicas")).isEqualTo(2);
        assertThat(at(chart.one("PodDisruptionBudget"), "spec.maxUnavailable")).isEqualTo(1);
        assertThat(at(chart.one("PodDisruptionBudget"), "spec.selector.matchLabels"))
            .isEqualTo(at(chart.one("Deployment"), "spec.selector.matchLabels"));
    }

    @Test
    void replicasAreTheOperatorsChoice() {
        assertThat(at(render(Map.of("replicaCount", 5)).one("Deployment"), "spec.replicas")).isEqualTo(5);
    }

    @Test
    void probesUseActuatorsHealthGroupsOnTheManagementPort() {
        Map<String, Object> container = tollgateContainer(render(Map.of()));

        assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
        assertThat(at(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(at(container, probe + ".httpGet.port")).isEqualTo("management");
        }
        assertThat(ports(container)).containsEntry("http", 8080).containsEntry("management", 8081);
    }

    @Test
    void theManagementPortIsConfigurableAndTheApplicationIsToldAboutIt() {
        RenderedChart chart = render(Map.of("managementPort", 9091));

        assertThat(ports(tollgateContainer(chart))).containsEntry("management", 9091);
        assertThat(at(applicationYaml(chart), "management.server.port")).isEqualTo(9091);
    }

    @Test
    void thePodRunsAsNonRootOnAReadOnlyRootFilesystemWithAnEmptyDirForTmp() {
        RenderedChart chart = render(Map.of());
        Map<String, Object> pod = mapAt(chart.one("Deployment"), "spec.template.spec");
        Map<String, Object> container = tollgateContainer(chart);

        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(pod, "securityContext.runAsUser")).isEqualTo(10001);
        assertThat(at(container, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(at(pod, "automountServiceAccountToken")).isEqualTo(false);

        List<Map<String, Object>> mounts = listAt(container, "volumeMounts");
        String tmpVolume = mounts.stream().filter(mount -> "/tmp".equals(mount.get("mountPath")))
            .map(mount -> (String) mount.get("name")).findFirst().orElseThrow();
        List<Map<String, Object>> volumes = listAt(pod, "volumes");
        assertThat(volumes).filteredOn(volume -> tmpVolume.equals(volume.get("name")))
            .singleElement().satisfies(volume -> assertThat(volume).containsKey("emptyDir"));
    }

    @Test
    void credentialsAreReadFromExistingSecretsAndNeverRendered() {
        RenderedChart chart = render(withAllSecrets());
        Map<String, Map<String, Object>> env = env(tollgateContainer(chart));

        assertThat(secretRef(env, "SPRING_R2DBC_URL")).isEqualTo("pg-credentials/url");
        assertThat(secretRef(env, "SPRING_R2DBC_USERNAME")).isEqualTo("pg-credentials/username");
        assertThat(secretRef(env, "SPRING_R2DBC_PASSWORD")).isEqualTo("pg-credentials/password");
        assertThat(secretRef(env, "SPRING_DATA_REDIS_URL")).isEqualTo("redis-credentials/url");
        assertThat(secretRef(env, "TOLLGATE_STRIPE_SECRET_KEY")).isEqualTo("stripe-credentials/secret-key");
        assertThat(secretRef(env, "TOLLGATE_STRIPE_WEBHOOK_SECRET")).isEqualTo("stripe-credentials/webhook-secret");
        assertThat(secretRef(env, "TOLLGATE_PROVIDER_OPENAI_API_KEYS")).isEqualTo("upstream-keys/openai");
        assertThat(secretRef(env, "TOLLGATE_PROVIDER_AZURE_EAST_API_KEYS")).isEqualTo("upstream-keys/azure");

        // The application reads them through placeholders in its ConfigMap; the chart creates no Secret of its own.
        Map<String, Object> config = applicationYaml(chart);
        assertThat(at(config, "tollgate.providers.openai.api-keys")).isEqualTo("${TOLLGATE_PROVIDER_OPENAI_API_KEYS}");
        assertThat(at(config, "tollgate.providers.azure-east.api-keys"))
            .isEqualTo("${TOLLGATE_PROVIDER_AZURE_EAST_API_KEYS}");
        assertThat(at(config, "tollgate.stripe.secret-key")).isEqualTo("${TOLLGATE_STRIPE_SECRET_KEY}");
        assertThat(at(config, "tollgate.stripe.webhook-secret")).isEqualTo("${TOLLGATE_STRIPE_WEBHOOK_SECRET}");
        assertThat(chart.kinds()).doesNotContain("Secret");
    }

    @Test
    void optionalCredentialsAreLeftOutUntilConfigured() {
        Map<String, Map<String, Object>> env = env(tollgateContainer(render(Map.of())));

        assertThat(env).containsKeys("SPRING_R2DBC_URL", "SPRING_R2DBC_USERNAME", "SPRING_R2DBC_PASSWORD")
            .doesNotContainKeys("SPRING_DATA_REDIS_URL", "TOLLGATE_STRIPE_SECRET_KEY", "TOLLGATE_STRIPE_WEBHOOK_SECRET");
    }

    @Test
    void aCanarySecretGivenAsAValueIsRefusedAndNeverRendered() {
        String canary = "canary-" + UUID.randomUUID();
        // Every place an operator might be tempted to put a credential.
        List<Map<String, Object>> attempts = List.of(
                Map.of("database.password", canary),
                Map.of("database.url", "r2dbc:postgresql://tollgate:" + canary + "@db:5432/tollgate"),
                Map.of("redis.url", "redis://:" + canary + "@redis:6379"),
                Map.of("stripe.secretKey", canary),
                Map.of("stripe.webhookSecret", canary),
                Map.of("providers.openai.apiKey", canary),
                Map.of("providers.openai.apiKeys.value", canary),
                Map.of("config.tollgate.stripe.secret-key", canary),
                Map.of("config.spring.r2dbc.password", canary),
                Map.of("config.tollgate.providers.openai.api-keys", canary),
                Map.of("config.tollgate.operator.signup-code", canary),
                Map.of("extraEnv[0].name", "TOLLGATE_OPERATOR_SIGNUPCODE", "extraEnv[0].value", canary),
                Map.of("providers.openai.settings.headers.Authorization", "Bearer " + canary),
                Map.of("extraEnv[0].name", "OPENAI_API_KEYS", "extraEnv[0].value", canary),
                Map.of("extraEnv[0].name", "SPRING_R2DBC_PASSWORD", "extraEnv[0].value", canary));

        for (Map<String, Object> attempt : attempts) {
            Throwable refusal = catchThrowable(() -> render(attempt));

            assertThat(refusal).as("rendering with %s", attempt.keySet()).isNotNull();
            assertThat(refusal.getMessage()).as("the refusal of %s", attempt.keySet()).doesNotContain(canary);
        }
    }

    @Test
    void inAFullyConfiguredReleaseEveryEnvironmentVariableButTwoPlainOnesIsASecretReference() {
        Map<String, Object> values = withAllSecrets();
        values.putAll(Map.of("ingress.enabled", true, "autoscaling.enabled", true, "javaToolOptions", "-Xss512k",
                "providers.openai.settings.headers.OpenAI-Organization", "${OPENAI_ORGANIZATION}",
                "extraEnv[0].name", "OPENAI_ORGANIZATION", "extraEnv[0].valueFrom.secretKeyRef.name", "org",
                "extraEnv[0].valueFrom.secretKeyRef.key", "id"));

        Map<String, Map<String, Object>> env = env(tollgateContainer(render(values)));

        assertThat(env).hasSize(11);
        env.forEach((name, variable) -> {
            if (name.equals("SPRING_CONFIG_ADDITIONAL_LOCATION")) {
                assertThat(variable).containsEntry("value", "file:/etc/tollgate/");
            }
            else if (name.equals("JAVA_TOOL_OPTIONS")) {
                assertThat((String) variable.get("value")).startsWith("-XX:MaxRAMPercentage=75").endsWith("-Xss512k");
            }
            else {
                assertThat(variable).as(name).doesNotContainKey("value");
                assertThat(mapAt(variable, "valueFrom.secretKeyRef")).as(name)
                    .containsKeys("name", "key");
            }
        });
    }

    @Test
    void plainSettingsGoToTheConfigMap() {
        Map<String, Object> values = new HashMap<>(Map.of("pricing.defaultMarkup", "0.05",
                "credits.signupBonusUsd", "1", "stripe.apiBase", "https://stripe.internal",
                "providers.mistral.type", "openai-compatible",
                "providers.mistral.baseUrl", "https://api.mistral.ai/v1",
                "providers.mistral.settings.stream-options", false,
                "config.tollgate.catalog.refresh-interval", "30s"));
        values.put("logging.levels.dev\\.tollgate", "debug");

        Map<String, Object> config = applicationYaml(render(values));

        assertThat(stringAt(config, "tollgate.pricing.default-markup")).isEqualTo("0.05");
        assertThat(stringAt(config, "tollgate.credits.signup-bonus-usd")).isEqualTo("1");
        assertThat(at(config, "tollgate.stripe.api-base")).isEqualTo("https://stripe.internal");
        assertThat(at(config, "tollgate.providers.openai.base-url")).isEqualTo("https://api.openai.com/v1");
        assertThat(at(config, "tollgate.providers.mistral.type")).isEqualTo("openai-compatible");
        assertThat(at(config, "tollgate.providers.mistral.base-url")).isEqualTo("https://api.mistral.ai/v1");
        assertThat(at(config, "tollgate.providers.mistral.stream-options")).isEqualTo(false);
        assertThat(mapAt(config, "tollgate.providers.mistral")).doesNotContainKey("api-keys");
        assertThat(at(config, "tollgate.catalog.refresh-interval")).isEqualTo("30s");
        assertThat(at(config, "tollgate.database.embedded")).isEqualTo(false);
        assertThat(at(config, "logging.structured.format.console")).isEqualTo("ecs");
        assertThat(mapAt(config, "logging.level")).containsEntry("dev.tollgate", "debug");
    }

    @Test
    void plainTextLogsAreOneValueAway() {
        Map<String, Object> config = applicationYaml(render(Map.of("logging.structuredFormat", "")));

        assertThat(config).doesNotContainKey("logging");
    }

    @Test
    void aChangedConfigMapRollsThePods() {
        String before = stringAt(render(Map.of()).one("Deployment"), "spec.template.metadata.annotations.checksum/config");
        String after = stringAt(render(Map.of("pricing.defaultMarkup", "0.1")).one("Deployment"),
                "spec.template.metadata.annotations.checksum/config");

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void autoscalingReplacesTheFixedReplicaCountWithAnAutoscaler() {
        RenderedChart chart = render(Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 3,
                "autoscaling.maxReplicas", 12, "autoscaling.targetMemoryUtilizationPercentage", 80));
        Map<String, Object> hpa = chart.one("HorizontalPodAutoscaler");

        assertThat(mapAt(chart.one("Deployment"), "spec")).doesNotContainKey("replicas");
        assertThat(at(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
        assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo(at(chart.one("Deployment"), "metadata.name"));
        assertThat(at(hpa, "spec.minReplicas")).isEqualTo(3);
        assertThat(at(hpa, "spec.maxReplicas")).isEqualTo(12);
        List<Map<String, Object>> metrics = listAt(hpa, "spec.metrics");
        assertThat(metrics).extracting(metric -> at(metric, "resource.name")).containsExactly("cpu", "memory");
    }

    @Test
    void theIngressIsOptionalRoutesOnlyTheApiPortAndDoesNotBufferStreams() {
        assertThat(render(Map.of()).has("Ingress")).isFalse();

        RenderedChart chart = render(Map.of("ingress.enabled", true, "ingress.className", "nginx",
                "ingress.hosts[0].host", "llm.example.org", "ingress.hosts[0].paths[0].path", "/",
                "ingress.hosts[0].paths[0].pathType", "Prefix", "ingress.tls[0].secretName", "llm-tls",
                "ingress.tls[0].hosts[0]", "llm.example.org"));
        Map<String, Object> ingress = chart.one("Ingress");

        assertThat(at(ingress, "spec.ingressClassName")).isEqualTo("nginx");
        assertThat(at(ingress, "spec.rules[0].host")).isEqualTo("llm.example.org");
        assertThat(at(ingress, "spec.rules[0].http.paths[0].backend.service.name"))
            .isEqualTo(at(chart.one("Service"), "metadata.name"));
        assertThat(at(ingress, "spec.rules[0].http.paths[0].backend.service.port.name")).isEqualTo("http");
        assertThat(at(ingress, "spec.tls[0].secretName")).isEqualTo("llm-tls");
        assertThat(mapAt(ingress, "metadata.annotations"))
            .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
    }

    @Test
    void theServiceSelectsThePodsAndExposesTheApiAndActuatorPorts() {
        RenderedChart chart = render(Map.of());
        Map<String, Object> service = chart.one("Service");

        assertThat(at(service, "spec.selector")).isEqualTo(at(chart.one("Deployment"), "spec.selector.matchLabels"));
        List<Map<String, Object>> ports = listAt(service, "spec.ports");
        assertThat(ports).extracting(port -> port.get("name"), port -> port.get("targetPort"))
            .containsExactly(tuple("http", "http"), tuple("management", "management"));
        assertThat(at(service, "spec.ports[0].port")).isEqualTo(80);
    }

    @Test
    void thePodOutlivesThePreStopSleepAndTollgatesShutdownWindow() {
        RenderedChart chart = render(Map.of());
        Map<String, Object> pod = mapAt(chart.one("Deployment"), "spec.template.spec");
        Map<String, Object> container = tollgateContainer(chart);

        assertThat(at(container, "lifecycle.preStop.exec.command")).isEqualTo(List.of("sleep", "10"));
        String shutdownWindow = stringAt(applicationYaml(chart), "spring.lifecycle.timeout-per-shutdown-phase");
        assertThat(shutdownWindow).isEqualTo("45s");
        assertThat((Integer) at(pod, "terminationGracePeriodSeconds")).isGreaterThan(10 + 45);
        assertThat(at(applicationYaml(chart), "server.shutdown")).isEqualTo("graceful");
    }

    @Test
    void theBuiltInSleepActionCanReplaceTheSleepCommand() {
        Map<String, Object> container = tollgateContainer(render(Map.of("shutdown.useSleepAction", true)));

        assertThat(at(container, "lifecycle.preStop.sleep.seconds")).isEqualTo(10);
    }

    @Test
    void aGracePeriodTooShortForTheShutdownWindowIsRefused() {
        assertThatThrownBy(() -> render(Map.of("terminationGracePeriodSeconds", 50)))
            .hasMessageContaining("terminationGracePeriodSeconds (50) must exceed");
        assertThatThrownBy(() -> render(Map.of("shutdown.timeoutSeconds", 70)))
            .hasMessageContaining("must exceed shutdown.preStopSleepSeconds + shutdown.timeoutSeconds (80)");
    }

    @Test
    void theDatabaseSecretIsRequired() {
        assertThatThrownBy(() -> render(Map.of("database.existingSecret", "")))
            .hasMessageContaining("database/existingSecret");
    }

    private static Map<String, Object> withAllSecrets() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("database.existingSecret", "pg-credentials");
        values.put("redis.existingSecret", "redis-credentials");
        values.put("stripe.existingSecret", "stripe-credentials");
        values.put("providers.openai.apiKeys.existingSecret", "upstream-keys");
        values.put("providers.azure-east.type", "azure-openai");
        values.put("providers.azure-east.baseUrl", "https://east.openai.azure.com");
        values.put("providers.azure-east.apiKeys.existingSecret", "upstream-keys");
        values.put("providers.azure-east.apiKeys.key", "azure");
        return values;
    }

    private static Map<String, Object> tollgateContainer(RenderedChart chart) {
        List<Map<String, Object>> containers = listAt(chart.one("Deployment"), "spec.template.spec.containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, Integer> ports(Map<String, Object> container) {
        Map<String, Integer> ports = new HashMap<>();
        List<Map<String, Object>> declared = listAt(container, "ports");
        declared.forEach(port -> ports.put((String) port.get("name"), (Integer) port.get("containerPort")));
        return ports;
    }

    private static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        List<Map<String, Object>> declared = listAt(container, "env");
        declared.forEach(variable -> env.put((String) variable.get("name"), variable));
        return env;
    }

    private static String secretRef(Map<String, Map<String, Object>> env, String name) {
        assertThat(env).containsKey(name);
        assertThat(env.get(name)).doesNotContainKey("value");
        return stringAt(env.get(name), "valueFrom.secretKeyRef.name") + "/"
                + stringAt(env.get(name), "valueFrom.secretKeyRef.key");
    }

    private static Map<String, Object> applicationYaml(RenderedChart chart) {
        String yaml = (String) mapAt(chart.one("ConfigMap"), "data").get("application.yaml");
        return new Yaml().load(yaml);
    }

}
