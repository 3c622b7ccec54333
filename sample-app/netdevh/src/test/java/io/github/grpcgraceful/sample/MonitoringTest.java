package io.github.grpcgraceful.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The alert rules and the dashboard in {@code docs/monitoring}: every metric name they
 * use is one the sample exports, as a real scrape of its Prometheus endpoint shows, so
 * that a renamed meter breaks the build; and Prometheus's own {@code promtool} checks the
 * rules and runs their unit tests.
 */
// Metrics export is off in tests unless asked for: the scrape is what this test reads.
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "grpc.server.port=0", "grpc.server.address=127.0.0.1", "server.address=127.0.0.1" })
class MonitoringTest {

    private static final Path MONITORING = Path.of("..", "..", "docs", "monitoring");

    private static final Path ALERTS = MONITORING.resolve("grpc-graceful-shutdown-alerts.yml");

    private static final Path ALERTS_TEST = MONITORING.resolve("grpc-graceful-shutdown-alerts-test.yml");

    private static final Path DASHBOARD = MONITORING.resolve("grpc-graceful-shutdown-dashboard.json");

    private static final Pattern METRIC = Pattern.compile("\\bgrpc_server_[a-z_]+\\b");

    @LocalServerPort
    private int port;

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Set<String> exported = scrapedNames();
        assertThat(exported).as("the drain's series exist from startup").contains("grpc_server_calls_active");

        Set<String> used = new TreeSet<>(names(Files.readString(ALERTS)));
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                used.addAll(names(target.get("expr").asText()));
            }
        }

        assertThat(used).hasSizeGreaterThanOrEqualTo(8);
        assertThat(exported).as("exported by the sample").containsAll(used);
    }

    @Test
    void promtoolChecksTheRulesAndPassesTheirTests() throws Exception {
        assumeTrue(promtoolInstalled(),
                "promtool is not installed, so the alert rules are not checked: install it with "
                        + "'apt-get install prometheus' (.ci/run does)");

        assertThat(promtool("check", "rules", ALERTS.getFileName().toString())).contains("SUCCESS: 4 rules found");
        assertThat(promtool("test", "rules", ALERTS_TEST.getFileName().toString())).contains("SUCCESS");
    }

    private Set<String> scrapedNames() throws IOException, InterruptedException {
        HttpResponse<String> scrape = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    private static boolean promtoolInstalled() {
        try {
            return new ProcessBuilder("promtool", "--version").redirectErrorStream(true)
                .start()
                .waitFor(30, TimeUnit.SECONDS);
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs promtool in the rules' directory; returns its output, after asserting success.
     */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        String[] command = new String[arguments.length + 1];
        command[0] = "promtool";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

}
