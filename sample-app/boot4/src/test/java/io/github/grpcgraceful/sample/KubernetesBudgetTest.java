package io.github.grpcgraceful.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests and the sample's settings cannot drift apart: the drain-delay,
 * the grace period and the stated margin must fit in terminationGracePeriodSeconds, and
 * the drain-delay must outlast the readiness probe.
 */
class KubernetesBudgetTest {

    private static final Path DEPLOYMENT = Path.of("..", "kubernetes", "deployment.yaml");

    private static final Path APPLICATION = Path.of("src", "main", "resources", "application.yml");

    /** The shutdown budget as the manifests and the application's settings make it. */
    record Budget(Duration drainDelay, Duration gracePeriod, Duration margin, Duration terminationGracePeriod,
            Duration readinessNoticeTime) {

        boolean fitsTerminationGracePeriod() {
            return drainDelay.plus(gracePeriod).plus(margin).compareTo(terminationGracePeriod) <= 0;
        }

        boolean drainDelayOutlastsReadinessProbe() {
            return drainDelay.compareTo(readinessNoticeTime) >= 0;
        }

        @SuppressWarnings("unchecked")
        static Budget of(Map<String, Object> deployment, Map<String, Object> application) {
            Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
            Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
            Map<String, Object> readiness = map(container, "readinessProbe");
            Map<String, Object> shutdown = map(map(application, "grpc"), "shutdown");
            String annotation = (String) map(map(deployment, "metadata"), "annotations")
                .get("grpc-graceful-shutdown/shutdown-margin");
            return new Budget(setting(container, "GRPC_SHUTDOWN_DRAINDELAY", shutdown.get("drain-delay"), "0s"),
                    setting(container, "GRPC_SHUTDOWN_GRACEPERIOD", shutdown.get("grace-period"), "30s"),
                    DurationStyle.detectAndParse(annotation),
                    Duration.ofSeconds(((Number) pod.getOrDefault("terminationGracePeriodSeconds", 30)).longValue()),
                    Duration.ofSeconds(((Number) readiness.getOrDefault("periodSeconds", 10)).longValue()
                            * ((Number) readiness.getOrDefault("failureThreshold", 3)).longValue()));
        }

        /**
         * The container's environment overrides the application's setting, which
         * overrides the default.
         */
        @SuppressWarnings("unchecked")
        private static Duration setting(Map<String, Object> container, String variable, Object fromApplication,
                String fallback) {
            for (Map<String, Object> env : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                if (variable.equals(env.get("name"))) {
                    return DurationStyle.detectAndParse(String.valueOf(env.get("value")));
                }
            }
            return DurationStyle.detectAndParse(fromApplication != null ? String.valueOf(fromApplication) : fallback);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Map<String, Object> parent, String key) {
            return (Map<String, Object>) parent.get(key);
        }
    }

    @Test
    void theManifestsShutdownBudgetAddsUp() throws IOException {
        Budget budget = Budget.of(yaml(DEPLOYMENT), yaml(APPLICATION));

        assertThat(budget.drainDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(budget.gracePeriod()).isEqualTo(Duration.ofSeconds(20));
        assertThat(budget.fitsTerminationGracePeriod()).as(budget.toString()).isTrue();
        assertThat(budget.drainDelayOutlastsReadinessProbe()).as(budget.toString()).isTrue();
    }

    @Test
    void aTerminationGracePeriodTooShortForTheDrainIsCaught() throws IOException {
        Map<String, Object> deployment = yaml(DEPLOYMENT);
        Budget.map(Budget.map(Budget.map(deployment, "spec"), "template"), "spec")
            .put("terminationGracePeriodSeconds", 25);

        Budget budget = Budget.of(deployment, yaml(APPLICATION));

        assertThat(budget.fitsTerminationGracePeriod()).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutTheEnvironmentTheApplicationsOwnSettingsCount() throws IOException {
        Map<String, Object> deployment = yaml(DEPLOYMENT);
        Map<String, Object> pod = Budget.map(Budget.map(Budget.map(deployment, "spec"), "template"), "spec");
        ((List<Map<String, Object>>) pod.get("containers")).get(0).remove("env");

        Budget budget = Budget.of(deployment, yaml(APPLICATION));

        assertThat(budget.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(budget.drainDelayOutlastsReadinessProbe()).as("no drain-delay in the sample's own settings")
            .isFalse();
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

}
