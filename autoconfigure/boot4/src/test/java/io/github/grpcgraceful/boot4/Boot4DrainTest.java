package io.github.grpcgraceful.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerTerminatedEvent;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import io.github.grpcgraceful.drain.DrainOutcome;
import io.github.grpcgraceful.drain.DrainState;
import io.github.grpcgraceful.drain.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.drain.GrpcDrainStartedEvent;
import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.StreamProbe;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;

/** The drain on Spring Boot 4's own gRPC server, against a real Netty server and real clients. */
@ExtendWith(OutputCaptureExtension.class)
class Boot4DrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Boot4GrpcApp app;

    @AfterEach
    void closeApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aCallInFlightCompletesAndSpringGrpcsOwnEventsAndLogKeepTheirPlace(CapturedOutput output) throws Exception {
        app = Boot4GrpcApp.start();
        CompletableFuture<String> reply = app.sleepCall(1000);

        long closeStart = System.nanoTime();
        app.closeAsync().get(10, TimeUnit.SECONDS);

        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("slept 1000");
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(4));
        assertThat(app.shutdownEvents()).extracting(Object::getClass).containsExactly(GrpcDrainStartedEvent.class,
                GrpcServerShutdownEvent.class, GrpcServerTerminatedEvent.class, GrpcDrainCompletedEvent.class);
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(app.drainCompleted().getCompletedCalls()).isEqualTo(1);
        assertThat(output).containsOnlyOnce("Completed gRPC server shutdown").contains("gRPC server drained in");
    }

    @Test
    void aCallThatOutlivesTheGracePeriodEndsWithUnavailableNotCancelled() throws Exception {
        app = Boot4GrpcApp.start("grpc.shutdown.grace-period=1s");
        CompletableFuture<String> reply = app.sleepCall(30_000);

        app.closeAsync().get(15, TimeUnit.SECONDS);

        CompletionException failure = catchThrowableOfType(CompletionException.class, reply::join);
        Status status = ((StatusRuntimeException) failure.getCause()).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 1s expired");
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.FORCED);
        assertThat(app.drainCompleted().getEndedCalls()).isEqualTo(1);
    }

    @Test
    void springGrpcsOwnShorterGracePeriodNoLongerCutsCalls(CapturedOutput output) throws Exception {
        app = Boot4GrpcApp.start("spring.grpc.server.shutdown.grace-period=1s", "grpc.shutdown.grace-period=20s");
        CompletableFuture<String> reply = app.sleepCall(2500);

        app.closeAsync();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 2500");
        assertThat(output).contains("'spring.grpc.server.shutdown.grace-period' (1s) is not used while the graceful "
                + "shutdown is on");
    }

    @Test
    void idleHealthWatchAndReflectionStreamsAreReleasedAndDoNotHoldTheDrain() throws Exception {
        app = Boot4GrpcApp.start("grpc.shutdown.grace-period=20s");
        StreamProbe<HealthCheckResponse> watch = new StreamProbe<>();
        HealthGrpc.newStub(app.newChannel()).watch(HealthCheckRequest.getDefaultInstance(), watch);
        StreamProbe<ServerReflectionResponse> reflection = new StreamProbe<>();
        ServerReflectionGrpc.newStub(app.newChannel()).serverReflectionInfo(reflection)
                .onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        watch.awaitFirstMessage();
        reflection.awaitFirstMessage();
        CompletableFuture<String> reply = app.sleepCall(1000);

        long closeStart = System.nanoTime();
        app.closeAsync().get(10, TimeUnit.SECONDS);

        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("slept 1000");
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(4));
        assertThat(watch.closed().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(reflection.closed().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(watch.messages()).extracting(HealthCheckResponse::getStatus).endsWith(ServingStatus.NOT_SERVING);
        GrpcDrainCompletedEvent completed = app.drainCompleted();
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(completed.getReleasedCalls()).isEqualTo(2);
    }

    @Test
    void healthReadinessGrpcHealthMetricsAndTheEndpointShowTheDrain() throws Exception {
        app = Boot4GrpcApp.startWeb("grpc.shutdown.drain-delay=1500ms",
                "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
                "management.endpoints.web.exposure.include=health,metrics,grpcshutdown");
        assertThat(app.get("/actuator/health").status()).isEqualTo(200);
        assertThat(grpcHealth()).isEqualTo(ServingStatus.SERVING);
        CompletableFuture<String> reply = app.sleepCall(3000);
        assertThat(JSON.readTree(app.get("/actuator/metrics/grpc.server.calls.active").body())
                .at("/measurements/0/value").asDouble()).isEqualTo(1.0);
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);

        CompletableFuture<Void> closed = app.closeAsync();
        awaitState(drainer, DrainState.DELAYING);

        GrpcApp.Reply health = app.get("/actuator/health");
        assertThat(health.status()).isEqualTo(503);
        JsonNode grpcServer = JSON.readTree(health.body()).at("/components/grpcServer");
        assertThat(grpcServer.at("/status").asString()).isEqualTo("OUT_OF_SERVICE");
        assertThat(grpcServer.at("/details/state").asString()).isEqualTo("DELAYING");
        assertThat(grpcServer.at("/details/drainDelay").asString()).isEqualTo("1s500ms");
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(503);
        assertThat(grpcHealth()).isEqualTo(ServingStatus.NOT_SERVING);
        JsonNode report = JSON.readTree(app.get("/actuator/grpcshutdown").body());
        assertThat(report.at("/state").asString()).isEqualTo("DELAYING");
        assertThat(report.at("/inFlight").asInt()).isEqualTo(1);

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 3000");
        closed.get(10, TimeUnit.SECONDS);
        assertThat(tracker.inFlight()).isZero();
    }

    private ServingStatus grpcHealth() {
        return HealthGrpc.newBlockingStub(app.newChannel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static void awaitState(GrpcServerDrainer drainer, DrainState state) throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (drainer.status().state() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the drain never reached " + state);
            }
            never.await(10, TimeUnit.MILLISECONDS);
        }
    }
}
