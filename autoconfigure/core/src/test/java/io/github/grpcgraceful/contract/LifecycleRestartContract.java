package io.github.grpcgraceful.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.StreamProbe;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;

/**
 * A lifecycle restart ({@code context.stop()} then {@code start()}, as Spring's test
 * framework does with cached contexts) drains fully at every stop and serves fully again
 * at every start.
 */
@ExtendWith(OutputCaptureExtension.class)
public abstract class LifecycleRestartContract extends GrpcAppContract {

    @Test
    void everyStopAfterAStartIsAFullDrainAndEveryStartServesAgain() throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.drain-delay=5s", "grpc.shutdown.grace-period=20s");

        for (int round = 1; round <= 2; round++) {
            assertServing(app);
            StreamProbe<HealthCheckResponse> watch = new StreamProbe<>();
            HealthGrpc.newStub(app.newChannel()).watch(HealthCheckRequest.getDefaultInstance(), watch);
            watch.awaitFirstMessage();
            CompletableFuture<String> reply = app.sleepCall(1000);

            long stopStart = System.nanoTime();
            app.context().stop();
            Duration stopTook = Duration.ofNanos(System.nanoTime() - stopStart);

            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1000");
            assertThat(watch.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(watch.messages()).extracting(HealthCheckResponse::getStatus)
                .containsExactly(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
            assertThat(drainsCompleted(app)).as("a full drain at stop %d", round).hasSize(round);
            GrpcDrainCompletedEvent completed = last(drainsCompleted(app));
            assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
            assertThat(completed.getCompletedCalls()).isEqualTo(1);
            assertThat(completed.getReleasedCalls()).isEqualTo(1);
            assertThat(last(drainsStarted(app)).getDrainDelay()).as("a stop that is no close skips the delay").isZero();
            assertThat(stopTook).isLessThan(Duration.ofSeconds(4));

            app.context().start();

            assertServing(app);
            GrpcApp.Reply report = app.get("/actuator/grpcshutdown");
            assertThat(report.<Integer>read("$.previousDrain.completedCalls")).isEqualTo(1);
            assertThat(report.<Integer>read("$.previousDrain.releasedCalls")).isEqualTo(1);
        }
    }

    @Test
    @SameOnEveryStack
    void aCloseAfterARestartWaitsItsDelayAndEndsCallsAtItsDeadline() throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.drain-delay=1s", "grpc.shutdown.grace-period=1s");
        app.context().stop();
        app.context().start();
        CompletableFuture<String> reply = app.sleepCall(30_000);

        long closeStart = System.nanoTime();
        CompletableFuture.runAsync(app.context()::close);
        CompletionException failure = catchThrowableOfType(CompletionException.class, reply::join);
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - closeStart);

        assertThat(failure.getCause()).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) failure.getCause()).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 1s expired");
        assertThat(failedAfter).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(8));
        assertThat(last(drainsStarted(app)).getDrainDelay()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void closingLogsNoWarningFromGrpcsHealthService(CapturedOutput output) throws Exception {
        GrpcApp app = startWeb();
        CompletableFuture<String> reply = app.sleepCall(200);

        app.context().close();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 200");
        assertThat(output).contains("drained in").doesNotContain("Already terminating");
    }

    @Test
    @SameOnEveryStack
    void closingTheContextLeavesNoThreadOfTheStartersBehind() throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.grace-period=5s");
        StreamProbe<String> subscription = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(app.newChannel().newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT),
                SlowService.THROW_ON_DRAIN, subscription);
        subscription.awaitFirstMessage();
        CompletableFuture<String> reply = app.sleepCall(300);

        app.context().close();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 300");
        assertThat(subscription.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!startersThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(startersThreads()).as("the starter's threads still alive").isEmpty();
    }

    /**
     * The starter's threads are all named {@code grpc-drain-…}: its drain's events,
     * actions and backend stops.
     */
    private static List<String> startersThreads() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> name.startsWith("grpc-drain"))
            .toList();
    }

    /** Health and readiness up, gRPC health SERVING, the endpoint SERVING. */
    public static void assertServing(GrpcApp app) {
        GrpcApp.Reply health = app.get("/actuator/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.<String>read("$.components.grpcServer.status")).isEqualTo("UP");
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(app.get("/actuator/grpcshutdown").<String>read("$.state")).isEqualTo("SERVING");
        ManagedChannel channel = app.newChannel();
        try {
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
        }
        finally {
            // A context the test framework keeps for later tests is not closed with its
            // channels.
            channel.shutdownNow();
        }
    }

}
