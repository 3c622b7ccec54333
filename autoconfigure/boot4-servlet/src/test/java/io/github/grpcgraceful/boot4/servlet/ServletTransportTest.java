package io.github.grpcgraceful.boot4.servlet;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.grpc.server.GrpcServletRegistration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.internal.backend.NoDrainableServer;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;

/**
 * What only gRPC on the servlet container has: one port for HTTP and gRPC, and no gRPC
 * server of its own to close.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServletTransportTest {

    private Boot4GrpcApp app;

    @AfterEach
    void close() {
        if (app != null) {
            app.closeAfterTest();
        }
    }

    @Test
    void grpcOnTheServletContainerIsDrainedWithNothingReportedMissing(CapturedOutput output) {
        app = Boot4GrpcApp.startServlet();

        assertThat(app.context().getBeansOfType(GrpcServletRegistration.class)).hasSize(1);
        assertThat(app.context().getBean(GrpcServerDrainer.class).isServletContainer()).isTrue();
        assertThat(app.context().getBean(GrpcServerDrainer.class).willDrain()).isTrue();
        assertThat(app.context().getBeansOfType(NoDrainableServer.class)).isEmpty();
        assertThat(output).doesNotContain("No gRPC server to drain");
    }

    @Test
    void everyServedMethodHasItsSeriesFromStartupAndEachServiceGoesNotServing() throws Exception {
        app = Boot4GrpcApp.startServlet("management.endpoints.web.exposure.include=health,metrics",
                "grpc.shutdown.drain-delay=3s");
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(app.newChannel());
        HealthCheckRequest slowService = HealthCheckRequest.newBuilder().setService("test.Slow").build();
        GrpcApp.Reply gauge = app.get("/actuator/metrics/grpc.server.calls.active?tag=method:Sleep");
        assertThat(gauge.status()).as("before any call").isEqualTo(200);
        assertThat(gauge.<Double>read("$.measurements[0].value")).isZero();
        // As an application sets its own services' health.
        app.context()
            .getBean(HealthStatusManager.class)
            .setStatus("test.Slow", HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(slowService).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);

        CompletableFuture<Void> closed = app.closeAsync();
        // Turned by a listener of the drain's start, on the drain's event thread: within
        // the 3 s delay.
        await(() -> health.check(slowService).getStatus() == HealthCheckResponse.ServingStatus.NOT_SERVING,
                Duration.ofSeconds(10));

        assertThat(drainer.status().state()).as("still in the drain-delay").isEqualTo(DrainState.DELAYING);
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void newCallsDuringTheDrainAreRefusedOnTheOpenConnectionWhileActuatorAnswersOnTheSamePort(CapturedOutput output)
            throws Exception {
        app = Boot4GrpcApp.startServlet("management.endpoints.web.exposure.include=health",
                "grpc.shutdown.grace-period=20s");
        ManagedChannel existing = app.newChannel();
        ClientCalls.blockingUnaryCall(existing, SlowService.SLEEP, CallOptions.DEFAULT, "0");
        InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        CompletableFuture<String> inFlight = app.sleepCall(2000);
        CompletableFuture<Void> closed = app.closeAsync();
        await(() -> drainer.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        int receivedBefore = app.service().received();

        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(existing, SlowService.SLEEP, CallOptions.DEFAULT, "0"));
        int healthDuringTheDrain = app.get("/actuator/health").status();

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getStatus().getDescription()).contains("no new calls");
        assertThat(app.service().received()).as("never reached the handler").isEqualTo(receivedBefore);
        assertThat(healthDuringTheDrain).as("OUT_OF_SERVICE, on the port that serves gRPC").isEqualTo(503);
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("slept 2000");
        closed.get(10, TimeUnit.SECONDS);
        assertThat(tracker.refusedCalls()).isEqualTo(1);
        assertThat(output).contains("New gRPC calls refused with UNAVAILABLE")
            .contains("gRPC on the servlet container drained in")
            .contains("1 new call refused");
    }

    @Test
    void aDrainLongerThanTheShutdownPhaseTimeoutIsReportedAtStartupAndStillGetsItsGracePeriod(CapturedOutput output)
            throws Exception {
        app = Boot4GrpcApp.startServlet("spring.lifecycle.timeout-per-shutdown-phase=1s",
                "grpc.shutdown.grace-period=4s");
        assertThat(output).contains("grpc.shutdown.drain-delay + grpc.shutdown.grace-period (4s) exceed "
                + "spring.lifecycle.timeout-per-shutdown-phase (1s)");
        CompletableFuture<String> reply = app.sleepCall(2500);

        long closeStart = System.nanoTime();
        app.closeAsync().get(20, TimeUnit.SECONDS);

        assertThat(reply.get(10, TimeUnit.SECONDS)).as("not cut at the phase timeout").isEqualTo("slept 2500");
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        // Tomcat's own graceful shutdown comes after the drain and finds nothing left to
        // wait for.
        assertThat(output).contains("Graceful shutdown complete").doesNotContain("Graceful shutdown aborted");
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
    }

}
