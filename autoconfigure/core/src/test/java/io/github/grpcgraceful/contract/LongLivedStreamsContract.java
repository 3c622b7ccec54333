package io.github.grpcgraceful.contract;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.GrpcApp;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * Long-lived streams against a real Netty server: released, signalled, or (when
 * configured so) waited for.
 */
public abstract class LongLivedStreamsContract extends GrpcAppContract {

    @Test
    void idleHealthWatchAndReflectionStreamsDoNotExtendTheDrain() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=20s");
        ManagedChannel channel = app.newChannel();
        StreamProbe<HealthCheckResponse> watch = watchHealth(channel);
        StreamProbe<?> reflection = openReflection(channel);
        await(() -> app.context().getBean(InFlightCallTracker.class).inFlight() == 2, Duration.ofSeconds(10));
        CompletableFuture<String> unary = app.sleepCall(1000);

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();

        assertThat(unary.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1000");
        closed.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).as("close after a 1 s call")
            .isLessThan(Duration.ofSeconds(10));
        assertReleased(watch.closed().get(5, TimeUnit.SECONDS));
        assertReleased(reflection.closed().get(5, TimeUnit.SECONDS));
        assertThat(watch.messages()).extracting(HealthCheckResponse::getStatus)
            .containsExactly(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
        GrpcDrainCompletedEvent completed = app.drainCompleted();
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(completed.getReleasedCalls()).isEqualTo(2);
        assertThat(completed.getCompletedCalls()).isEqualTo(1);
        assertThat(completed.getEndedCalls()).isZero();
    }

    @Test
    @SameOnEveryStack
    void aConfiguredUserStreamIsReleasedWhenTheListenerClosesNotAtTheDeadline() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=20s", "grpc.shutdown.drain-delay=500ms",
                "grpc.shutdown.long-lived-methods=test.Slow/Str*");
        StreamProbe<String> stream = openStream(app.newChannel(), SlowService.STREAM).awaitFirstMessage();

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();
        Status status = stream.closed().get(10, TimeUnit.SECONDS);
        Duration releasedAfter = Duration.ofNanos(System.nanoTime() - closeStart);

        assertReleased(status);
        assertThat(releasedAfter).as("released after the drain-delay")
            .isBetween(Duration.ofMillis(450), Duration.ofSeconds(10));
        closed.get(10, TimeUnit.SECONDS);
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(app.drainCompleted().getReleasedCalls()).isEqualTo(1);
        await(() -> app.service().running() == 0, Duration.ofSeconds(5));
        assertThat(app.service().handlerErrors()).isEmpty();
    }

    @Test
    @SameOnEveryStack
    void aStreamThatUsesTheDrainSignalSaysGoodbyeAndCompletesWithOk() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=20s", "grpc.shutdown.long-lived-methods=test.Slow/*");
        StreamProbe<String> stream = openStream(app.newChannel(), SlowService.SUBSCRIBE).awaitFirstMessage();

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();

        assertThat(stream.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        closed.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
        assertThat(stream.messages()).last().isEqualTo("goodbye");
        GrpcDrainCompletedEvent completed = app.drainCompleted();
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(completed.getCompletedCalls()).as("the signalled stream counts as completed").isEqualTo(1);
        assertThat(completed.getReleasedCalls()).isZero();
    }

    @Test
    @SameOnEveryStack
    void anEmptyListWaitsForEveryStreamUntilTheDeadline() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=1s", "grpc.shutdown.long-lived-methods=");
        StreamProbe<HealthCheckResponse> watch = watchHealth(app.newChannel()).awaitFirstMessage();

        long closeStart = System.nanoTime();
        app.closeAsync().get(15, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isGreaterThan(Duration.ofMillis(900));
        Status status = watch.closed().get(5, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 1s expired");
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.FORCED);
        assertThat(app.drainCompleted().getEndedCalls()).isEqualTo(1);
    }

    @Test
    @SameOnEveryStack
    void aStreamOpenedDuringTheDrainDelayIsReleasedToo() throws Exception {
        // A delay far longer than opening a stream takes.
        GrpcApp app = start("grpc.shutdown.drain-delay=3s");
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        CompletableFuture<Void> closed = app.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));

        StreamProbe<HealthCheckResponse> watch = watchHealth(app.newChannel()).awaitFirstMessage();

        assertReleased(watch.closed().get(10, TimeUnit.SECONDS));
        closed.get(10, TimeUnit.SECONDS);
        assertThat(watch.messages()).extracting(HealthCheckResponse::getStatus)
            .containsExactly(ServingStatus.NOT_SERVING);
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
    }

    private static void assertReleased(Status status) {
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).startsWith("server shutting down").contains("released");
    }

    static StreamProbe<HealthCheckResponse> watchHealth(ManagedChannel channel) {
        StreamProbe<HealthCheckResponse> probe = new StreamProbe<>();
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), probe);
        return probe;
    }

    /**
     * A reflection stream as grpcurl or an IDE keeps it: one request answered, then open
     * and idle.
     */
    /**
     * A reflection stream, v1 where the backend serves it (Spring Boot 4), else v1alpha
     * (net.devh).
     */
    private static StreamProbe<?> openReflection(ManagedChannel channel) throws Exception {
        StreamProbe<io.grpc.reflection.v1.ServerReflectionResponse> v1 = new StreamProbe<>();
        io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(v1)
            .onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        await(() -> !v1.messages().isEmpty() || v1.closed().isDone(), Duration.ofSeconds(10));
        if (!v1.closed().isDone()) {
            return v1;
        }
        StreamProbe<ServerReflectionResponse> v1alpha = new StreamProbe<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(v1alpha);
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        return v1alpha.awaitFirstMessage();
    }

    private static StreamProbe<String> openStream(ManagedChannel channel, MethodDescriptor<String, String> method) {
        StreamProbe<String> probe = new StreamProbe<>();
        ClientCall<String, String> call = channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
        ClientCalls.asyncServerStreamingCall(call, "", probe);
        return probe;
    }

}
