package io.github.grpcgraceful.contract;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.GrpcApp;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/**
 * The drain against a real Netty server and real clients. Timing bounds are generous on
 * purpose.
 */
@ExtendWith(OutputCaptureExtension.class)
public abstract class DrainContract extends GrpcAppContract {

    @Test
    void callInFlightAtCloseCompletesWithItsReplyAndCloseReturnsRightAfter() throws Exception {
        GrpcApp app = start();
        CompletableFuture<String> reply = app.sleepCall(1500);

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1500");
        closed.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
        GrpcDrainCompletedEvent completed = (GrpcDrainCompletedEvent) app.drainEvents().get(1);
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(completed.getCompletedCalls()).isEqualTo(1);
        assertThat(completed.getEndedCalls()).isZero();
    }

    @Test
    void afterTheDrainStartsNewCallsGetUnavailableAndAreNeverProcessed() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=20s");
        ManagedChannel existing = app.newChannel();
        ClientCalls.blockingUnaryCall(existing, SlowService.SLEEP, CallOptions.DEFAULT, "0");
        CompletableFuture<String> inFlight = app.sleepCall(3000);
        CompletableFuture<Void> closed = app.closeAsync();
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        await(() -> drainer.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        int receivedBefore = app.service().received();

        StatusRuntimeException onNewConnection = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(app.newChannel(), SlowService.SLEEP, CallOptions.DEFAULT, "0"));
        StatusRuntimeException onOldConnection = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(existing, SlowService.SLEEP, CallOptions.DEFAULT, "0"));

        assertThat(onNewConnection.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(onOldConnection.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(app.service().received()).isEqualTo(receivedBefore);
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("slept 3000");
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    @SameOnEveryStack
    void duringTheDrainDelayNewCallsAreStillServed(CapturedOutput output) throws Exception {
        GrpcApp app = start("grpc.shutdown.drain-delay=3s", QUIET_HANDLER_FAILURES);
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        CompletableFuture<Void> closed = app.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(10));

        String reply = ClientCalls.blockingUnaryCall(app.newChannel(), SlowService.SLEEP,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "0");
        StatusRuntimeException failed = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(app.newChannel(), SlowService.FAIL,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), ""));

        assertThat(reply).isEqualTo("slept 0");
        assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(drainer.status().state()).as("served within the delay, on a new connection")
            .isEqualTo(DrainState.DELAYING);
        closed.get(10, TimeUnit.SECONDS);
        // The summary tells the call that completed with OK from the one that did not.
        GrpcDrainCompletedEvent completed = (GrpcDrainCompletedEvent) app.drainEvents().get(1);
        assertThat(completed.getCompletedCalls()).isEqualTo(2);
        assertThat(completed.getFailedCalls()).isEqualTo(1);
        assertThat(drainer.status().failedCalls()).isEqualTo(1);
        assertThat(output).contains("2 calls completed (1 with OK, 1 with an error status or cancelled)");
    }

    @Test
    void callLongerThanTheGracePeriodEndsWithUnavailableAtTheDeadline() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=1s");
        CompletableFuture<String> reply = app.sleepCall(30_000);
        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();

        StatusRuntimeException failure = failureOf(reply);
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - closeStart);

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure.getStatus().getDescription()).isEqualTo("server shutting down: grace period 1s expired");
        assertThat(failedAfter).isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));
        closed.get(10, TimeUnit.SECONDS);
        GrpcDrainCompletedEvent completed = (GrpcDrainCompletedEvent) app.drainEvents().get(1);
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.FORCED);
        assertThat(completed.getEndedCalls()).isEqualTo(1);
        assertThat(completed.getCompletedCalls()).isZero();
        // The handler learnt at the deadline that its call was over, from the drain, not
        // when the server was
        // stopped a second later.
        assertThat(app.service().running()).isZero();
        assertThat(app.service().cancellationCauses()).singleElement()
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                    cause -> assertThat(cause.getStatus().getDescription())
                        .isEqualTo("server shutting down: grace period 1s expired"));
        // And its listener was told as gRPC tells a handler whose call is over before it
        // replied: a cancel.
        await(() -> app.service().cancelHandlersRun() == 1, Duration.ofSeconds(5));
    }

    @Test
    @SameOnEveryStack
    void zeroGracePeriodEndsInFlightCallsAtOnce() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=0");
        CompletableFuture<String> reply = app.sleepCall(30_000);
        long closeStart = System.nanoTime();
        app.closeAsync();

        StatusRuntimeException failure = failureOf(reply);

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure.getStatus().getDescription()).contains("grace period 0s expired");
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @SameOnEveryStack
    void endlessServerStreamIsWaitedForThenEndedWithUnavailableWithoutErrorsInTheHandler() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=1s");
        Iterator<String> messages = ClientCalls.blockingServerStreamingCall(app.newChannel(), SlowService.STREAM,
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), "");
        assertThat(messages.next()).isEqualTo("message 0");
        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = app.closeAsync();

        List<String> received = new ArrayList<>();
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> messages.forEachRemaining(received::add));
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - closeStart);

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failedAfter).isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));
        assertThat(received).hasSizeGreaterThan(5).doesNotContain("late");
        closed.get(10, TimeUnit.SECONDS);
        await(() -> app.service().running() == 0, Duration.ofSeconds(5));
        assertThat(app.service().handlerErrors()).isEmpty();
    }

    @Test
    void idleCloseTakesNoNoticeableTime() {
        GrpcApp app = start();
        long closeStart = System.nanoTime();

        app.close();

        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @SameOnEveryStack
    void eventsArePublishedOnceInOrderAndASecondStopIsANoOp() {
        GrpcApp app = start("grpc.shutdown.grace-period=7s", "grpc.shutdown.drain-delay=0");
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);

        app.close();
        drainer.stop();
        drainer.drain();

        assertThat(app.drainEvents()).hasSize(2);
        GrpcDrainStartedEvent started = (GrpcDrainStartedEvent) app.drainEvents().get(0);
        assertThat(started.getGracePeriod()).isEqualTo(Duration.ofSeconds(7));
        assertThat(started.getInFlightCalls()).isZero();
        GrpcDrainCompletedEvent completed = (GrpcDrainCompletedEvent) app.drainEvents().get(1);
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(drainer.status().state()).isEqualTo(DrainState.TERMINATED);
    }

    @Test
    @SameOnEveryStack
    void aFailingListenerOfTheDrainEventsDoesNotStopTheDrain(CapturedOutput output) throws Exception {
        GrpcApp app = start();
        app.context().addApplicationListener((ApplicationListener<GrpcDrainStartedEvent>) event -> {
            throw new IllegalStateException("listener failed on purpose");
        });
        CompletableFuture<String> reply = app.sleepCall(500);

        app.close();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 500");
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(output).contains("A listener of GrpcDrainStartedEvent failed");
    }

    @Test
    @SameOnEveryStack
    void aDrainInterruptedDuringAnEndlessDrainDelayEndsCleanly() throws Exception {
        GrpcApp app = start("grpc.shutdown.drain-delay=9223372036854775807ms", "grpc.shutdown.grace-period=999999999d");
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        assertThat(drainer.policy().drainDelay()).isEqualTo(Durations.FOREVER);
        assertThat(drainer.policy().gracePeriod()).isEqualTo(Durations.FOREVER);
        CompletableFuture<String> reply = app.sleepCall(30_000);
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        Thread drain = new Thread(drainer::drain, "test-drain");
        drain.setUncaughtExceptionHandler((thread, e) -> escaped.add(e));
        // As when the context closes: only then does the drain wait its delay.
        drainer.onApplicationEvent(new ContextClosedEvent(app.context()));

        drain.start();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));
        drain.interrupt();
        drain.join(10_000);

        assertThat(drain.isAlive()).isFalse();
        assertThat(escaped).isEmpty();
        assertThat(drainer.status().state()).isEqualTo(DrainState.TERMINATED);
        assertThat(failureOf(reply).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    @SameOnEveryStack
    void aGracePeriodOfPracticallyForeverStillEndsWithTheLastCall() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=9223372036854775807s");
        CompletableFuture<String> reply = app.sleepCall(300);

        app.close();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 300");
        assertThat(app.drainCompleted().getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
    }

    private static StatusRuntimeException failureOf(CompletableFuture<String> reply) {
        CompletionException thrown = catchThrowableOfType(CompletionException.class, reply::join);
        assertThat(thrown).as("the call should have failed").isNotNull();
        assertThat(thrown.getCause()).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) thrown.getCause();
    }

}
