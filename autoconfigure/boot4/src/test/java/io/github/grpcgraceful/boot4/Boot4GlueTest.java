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

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
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

/**
 * The drain as the Boot 4 glue shapes it: Spring gRPC's own events, log and grace period.
 */
@ExtendWith(OutputCaptureExtension.class)
class Boot4GlueTest {

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
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
        assertThat(app.shutdownEvents()).extracting(Object::getClass)
            .containsExactly(GrpcDrainStartedEvent.class, GrpcServerShutdownEvent.class,
                    GrpcServerTerminatedEvent.class, GrpcDrainCompletedEvent.class);
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(app.drainCompleted().getCompletedCalls()).isEqualTo(1);
        assertThat(output).containsOnlyOnce("Completed gRPC server shutdown").contains("gRPC server drained in");
    }

    @Test
    void springGrpcsOwnShorterGracePeriodNoLongerCutsCalls(CapturedOutput output) throws Exception {
        // Spring Boot 4.1's name and Spring gRPC 1.0's: these tests run on both.
        app = Boot4GrpcApp.start("spring.grpc.server.shutdown.grace-period=1s",
                "spring.grpc.server.shutdown-grace-period=1s", "grpc.shutdown.grace-period=20s");
        CompletableFuture<String> reply = app.sleepCall(2500);

        app.closeAsync();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 2500");
        assertThat(output).containsOnlyOnce("(1s) is not used while the graceful shutdown is on")
            .doesNotContain("its own shutdown grace period still applies");
    }

}
