package io.github.grpcgraceful.contract;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.StreamProbe;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A drain as operators watch it, on a real server: Actuator health and readiness, gRPC
 * health, the meters, the endpoint.
 */
public abstract class ObservabilityContract extends GrpcAppContract {

    @Test
    @SameOnEveryStack
    void inFlightCallsShowInTheMetricsAndTheEndpointAndReturnToZero() throws Exception {
        GrpcApp app = startWeb("management.endpoints.web.exposure.include=health,metrics,grpcshutdown");
        List<CompletableFuture<String>> replies = List.of(app.sleepCall(2000), app.sleepCall(2000),
                app.sleepCall(2000));

        GrpcApp.Reply gauge = app.get("/actuator/metrics/grpc.server.calls.active?tag=method:Sleep");
        GrpcApp.Reply report = app.get("/actuator/grpcshutdown");

        assertThat(gauge.<Double>read("$.measurements[0].value")).isEqualTo(3.0);
        assertThat(report.<String>read("$.state")).isEqualTo("SERVING");
        assertThat(report.<Integer>read("$.inFlight")).isEqualTo(3);
        assertThat(report.<Integer>read("$.inFlightByMethod['test.Slow/Sleep']")).isEqualTo(3);
        assertThat(report.<List<?>>read("$.oldestCalls")).hasSize(3);
        assertThat(report.<String>read("$.oldestCalls[0].method")).isEqualTo("test.Slow/Sleep");
        assertThat(report.<String>read("$.gracePeriod")).isEqualTo("30s");
        assertThat(report.<List<String>>read("$.longLivedMethods")).contains("grpc.health.v1.Health/Watch");

        for (CompletableFuture<String> reply : replies) {
            reply.get(10, TimeUnit.SECONDS);
        }
        await(() -> app.get("/actuator/metrics/grpc.server.calls.active?tag=method:Sleep")
            .<Double>read("$.measurements[0].value") == 0.0, Duration.ofSeconds(5));
        assertThat(app.get("/actuator/grpcshutdown").<Integer>read("$.inFlight")).isZero();
    }

    @Test
    void healthReadinessAndGrpcHealthGoOutOfServiceForTheWholeDrain() throws Exception {
        // A delay far longer than the checks below take, so that they all fall within it.
        GrpcApp app = startWeb("grpc.shutdown.drain-delay=3s");
        ManagedChannel channel = app.newChannel();
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        assertThat(app.get("/actuator/health").status()).isEqualTo(200);
        assertThat(app.get("/actuator/health").<String>read("$.components.grpcServer.status")).isEqualTo("UP");
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(grpcHealth(channel)).isEqualTo(ServingStatus.SERVING);

        CompletableFuture<String> inFlight = app.sleepCall(4500);
        CompletableFuture<Void> closed = app.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));

        GrpcApp.Reply health = app.get("/actuator/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.<String>read("$.status")).isEqualTo("OUT_OF_SERVICE");
        assertThat(health.<String>read("$.components.grpcServer.status")).isEqualTo("OUT_OF_SERVICE");
        assertThat(health.<String>read("$.components.grpcServer.details.state")).isEqualTo("DELAYING");
        assertThat(health.<Integer>read("$.components.grpcServer.details.inFlight")).isEqualTo(1);
        assertThat(health.<String>read("$.components.grpcServer.details.drainDelay")).isEqualTo("3s");
        assertThat(health.<String>read("$.components.grpcServer.details.drainingFor")).endsWith(" s");
        // Readiness and gRPC health are turned by listeners of the drain's start, on the
        // drain's event thread.
        await(() -> app.get("/actuator/health/readiness").status() == 503, Duration.ofSeconds(5));
        assertThat(app.get("/actuator/health/readiness").<String>read("$.status")).isEqualTo("OUT_OF_SERVICE");
        await(() -> grpcHealth(channel) == ServingStatus.NOT_SERVING, Duration.ofSeconds(5));
        assertThat(drainer.status().state()).as("all of the above within the drain-delay")
            .isEqualTo(DrainState.DELAYING);

        await(() -> drainer.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        GrpcApp.Reply draining = app.get("/actuator/health");
        assertThat(draining.status()).isEqualTo(503);
        assertThat(draining.<String>read("$.components.grpcServer.details.state")).isEqualTo("DRAINING");
        GrpcApp.Reply report = app.get("/actuator/grpcshutdown");
        assertThat(report.<String>read("$.state")).isEqualTo("DRAINING");
        assertThat(report.<String>read("$.drain.startedAt")).isNotEmpty();
        assertThat(report.<String>read("$.drain.deadline")).isNotEmpty();
        assertThat(report.<Integer>read("$.inFlight")).isEqualTo(1);

        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("slept 4500");
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    @SameOnEveryStack
    void theDrainIsTimedAndEndedCallsAreCounted() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=500ms");
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        app.sleepCall(30_000);

        app.context().close();

        assertThat(registry.get("grpc.server.drain.duration").tag("outcome", "forced").timer().count()).isEqualTo(1);
        assertThat(registry.get("grpc.server.drain.ended.calls").counter().count()).isEqualTo(1.0);
    }

    @Test
    @SameOnEveryStack
    void releasedStreamsAreCountedApartFromEndedCalls() throws Exception {
        GrpcApp app = start();
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        StreamProbe<HealthCheckResponse> watch = new StreamProbe<>();
        HealthGrpc.newStub(app.newChannel()).watch(HealthCheckRequest.getDefaultInstance(), watch);
        watch.awaitFirstMessage();

        app.context().close();

        assertThat(registry.get("grpc.server.drain.released.calls").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("grpc.server.drain.ended.calls").counter().count()).isZero();
        assertThat(registry.get("grpc.server.drain.duration").tag("outcome", "completed").timer().count()).isEqualTo(1);
    }

    private static ServingStatus grpcHealth(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance())
            .getStatus();
    }

}
