package io.github.grpcgraceful.observability;

import static io.github.grpcgraceful.testing.TestGrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.grpcgraceful.drain.DrainState;
import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.testing.Http;
import io.github.grpcgraceful.testing.TestGrpcApp;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.MeterRegistry;

/** Metrics, health and the endpoint, over real HTTP and gRPC, while a real drain runs. */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityTest {

    private TestGrpcApp app;

    @AfterEach
    void closeApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void inFlightCallsShowInMetricsPrometheusAndTheEndpointAndReturnToZero() throws Exception {
        app = TestGrpcApp.startWeb("management.endpoints.web.exposure.include=health,metrics,prometheus,grpcshutdown");
        int http = app.httpPort();
        List<CompletableFuture<String>> replies = List.of(app.sleepCall(2000), app.sleepCall(2000), app.sleepCall(2000));

        JsonNode gauge = Http.get(http, "/actuator/metrics/grpc.server.calls.active").json();
        JsonNode report = Http.get(http, "/actuator/grpcshutdown").json();
        String prometheus = Http.get(http, "/actuator/prometheus").body();

        assertThat(gauge.at("/measurements/0/value").asDouble()).isEqualTo(3.0);
        assertThat(report.at("/state").asText()).isEqualTo("SERVING");
        assertThat(report.at("/inFlight").asInt()).isEqualTo(3);
        assertThat(report.at("/inFlightByMethod/test.Slow~1Sleep").asInt()).isEqualTo(3);
        assertThat(report.at("/oldestCalls")).hasSize(3);
        assertThat(report.at("/oldestCalls/0/method").asText()).isEqualTo("test.Slow/Sleep");
        assertThat(report.at("/gracePeriod").asText()).isEqualTo("30s");
        assertThat(report.at("/longLivedMethods").toString()).contains("grpc.health.v1.Health/Watch");
        assertThat(prometheus).contains("grpc_server_calls_active{method=\"Sleep\",service=\"test.Slow\"} 3.0");

        for (CompletableFuture<String> reply : replies) {
            reply.get(10, TimeUnit.SECONDS);
        }
        await(() -> Http.get(http, "/actuator/metrics/grpc.server.calls.active").json()
                .at("/measurements/0/value").asDouble() == 0.0, Duration.ofSeconds(5));
        assertThat(Http.get(http, "/actuator/grpcshutdown").json().at("/inFlight").asInt()).isZero();
    }

    @Test
    void healthReadinessAndGrpcHealthGoOutOfServiceForTheWholeDrain() throws Exception {
        app = TestGrpcApp.startWeb("grpc.shutdown.drain-delay=1500ms",
                "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
                "management.endpoints.web.exposure.include=health,grpcshutdown");
        int http = app.httpPort();
        ManagedChannel channel = app.newChannel();
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);

        assertThat(Http.get(http, "/actuator/health").status()).isEqualTo(200);
        assertThat(Http.get(http, "/actuator/health").json().at("/components/grpcServer/status").asText()).isEqualTo("UP");
        assertThat(Http.get(http, "/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(grpcHealth(channel)).isEqualTo(ServingStatus.SERVING);

        CompletableFuture<String> inFlight = app.sleepCall(3500);
        CompletableFuture<Void> closed = app.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));

        Http.Response health = Http.get(http, "/actuator/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().at("/status").asText()).isEqualTo("OUT_OF_SERVICE");
        JsonNode grpcServer = health.json().at("/components/grpcServer");
        assertThat(grpcServer.at("/status").asText()).isEqualTo("OUT_OF_SERVICE");
        assertThat(grpcServer.at("/details/state").asText()).isEqualTo("DELAYING");
        assertThat(grpcServer.at("/details/inFlight").asInt()).isEqualTo(1);
        assertThat(grpcServer.at("/details/drainDelay").asText()).isEqualTo("1s500ms");
        assertThat(grpcServer.at("/details/drainingFor").asText()).endsWith(" s");
        Http.Response readiness = Http.get(http, "/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(503);
        assertThat(readiness.json().at("/status").asText()).isEqualTo("OUT_OF_SERVICE");
        assertThat(grpcHealth(channel)).isEqualTo(ServingStatus.NOT_SERVING);

        await(() -> drainer.status().state() == DrainState.DRAINING, Duration.ofSeconds(5));
        Http.Response draining = Http.get(http, "/actuator/health");
        assertThat(draining.status()).isEqualTo(503);
        assertThat(draining.json().at("/components/grpcServer/details/state").asText()).isEqualTo("DRAINING");
        JsonNode report = Http.get(http, "/actuator/grpcshutdown").json();
        assertThat(report.at("/state").asText()).isEqualTo("DRAINING");
        assertThat(report.at("/drain/startedAt").asText()).isNotEmpty();
        assertThat(report.at("/drain/deadline").asText()).isNotEmpty();
        assertThat(report.at("/inFlight").asInt()).isEqualTo(1);

        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("slept 3500");
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void drainIsTimedAndEndedCallsAreCounted() throws Exception {
        app = TestGrpcApp.start("grpc.shutdown.grace-period=500ms");
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        app.sleepCall(30_000);

        app.close();

        assertThat(registry.get("grpc.server.drain.duration").tag("outcome", "forced").timer().count()).isEqualTo(1);
        assertThat(registry.get("grpc.server.drain.ended.calls").counter().count()).isEqualTo(1.0);
    }

    @Test
    void anInProcessServerBesideNettySharesTheGaugesAndIsDrainedToo(CapturedOutput output) throws Exception {
        app = TestGrpcApp.start("grpc.server.in-process-name=observability-test");
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        ManagedChannel inProcess = InProcessChannelBuilder.forName("observability-test").build();
        try {
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> ClientCalls.blockingUnaryCall(
                    inProcess, SlowService.SLEEP, CallOptions.DEFAULT, "1000"));
            await(() -> app.service().received() == 1, Duration.ofSeconds(5));

            assertThat(registry.find("grpc.server.calls.active").tag("method", "Sleep").gauges()).hasSize(1);
            assertThat(registry.get("grpc.server.calls.active").tag("method", "Sleep").gauge().value()).isEqualTo(1.0);
            app.close();

            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1000");
            assertThat(output).doesNotContain("already registered").contains("2 gRPC servers drained in");
        } finally {
            inProcess.shutdownNow();
        }
    }

    @Test
    void releasedStreamsAreCountedApartFromEndedCalls() throws Exception {
        app = TestGrpcApp.start();
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        HealthGrpc.newStub(app.newChannel()).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserverAdapter());
        await(() -> app.context().getBean(InFlightCallTracker.class).inFlight() == 1, Duration.ofSeconds(5));

        app.close();

        assertThat(registry.get("grpc.server.drain.released.calls").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("grpc.server.drain.ended.calls").counter().count()).isZero();
        assertThat(registry.get("grpc.server.drain.duration").tag("outcome", "completed").timer().count()).isEqualTo(1);
    }

    /** Ignores what a stream sends. */
    private static final class StreamObserverAdapter implements StreamObserver<HealthCheckResponse> {

        @Override
        public void onNext(HealthCheckResponse value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    private static ServingStatus grpcHealth(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }
}
