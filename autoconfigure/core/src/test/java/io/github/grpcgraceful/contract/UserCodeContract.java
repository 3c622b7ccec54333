package io.github.grpcgraceful.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.StreamProbe;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/**
 * User code (a drain action, a listener of the drain's events) can neither stall the
 * drain nor break it.
 */
@ExtendWith(OutputCaptureExtension.class)
public abstract class UserCodeContract extends GrpcAppContract {

    @Test
    void aDrainActionThatBlocksCannotHoldTheGraceDeadline(CapturedOutput output) throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.grace-period=1s");
        StreamProbe<String> stream = subscribe(app, SlowService.BLOCK_ON_DRAIN);

        Duration took = timeClose(app);

        assertThat(stream.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(took).as("the grace period, not the action's 60 s").isLessThan(Duration.ofSeconds(6));
        assertThat(output).contains(
                "drain action(s) had not returned when the drain ended and were interrupted: " + "test.Slow/Subscribe");
    }

    @Test
    void aDrainActionThatThrowsIsLoggedWithItsMethodAndTheDrainGoesOn(CapturedOutput output) throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.grace-period=20s");
        StreamProbe<String> failing = subscribe(app, SlowService.THROW_ON_DRAIN);
        StreamProbe<String> other = subscribe(app, "");
        CompletableFuture<String> reply = app.sleepCall(800);

        timeClose(app);

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 800");
        assertThat(failing.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        assertThat(failing.messages()).last().isEqualTo("goodbye");
        assertThat(other.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        assertThat(last(drainsCompleted(app)).getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(output).contains("A drain action of test.Slow/Subscribe failed")
            .contains("AssertionError: drain action failed on purpose");
        if (backendStopLogged() != null) {
            assertThat(output).containsOnlyOnce(backendStopLogged());
        }
    }

    @Test
    @SameOnEveryStack
    void aListenerThatBlocksCannotHoldTheDrain(CapturedOutput output) throws Exception {
        GrpcApp app = startWeb("grpc.shutdown.grace-period=1s");
        app.context().addApplicationListener((ApplicationListener<GrpcDrainStartedEvent>) event -> sleep(60_000));
        CompletableFuture<String> reply = app.sleepCall(30_000);

        Duration took = timeClose(app);

        CompletionException failure = catchThrowableOfType(CompletionException.class, reply::join);
        assertThat(((StatusRuntimeException) failure.getCause()).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(took).as("a second for the listener, then the grace period, not the listener's 60 s")
            .isLessThan(Duration.ofSeconds(10));
        assertThat(output)
            .contains("The drain's drainStarted step has not returned within 1s in a listener of the drain's events")
            .contains("Interrupted the drain's drainStarted step in a listener of the drain's events: it was still "
                    + "running after the drain");
        GrpcApp.await(
                () -> Thread.getAllStackTraces()
                    .keySet()
                    .stream()
                    .noneMatch(thread -> thread.isAlive() && thread.getName().equals("grpc-drain-participant")),
                Duration.ofSeconds(5));
    }

    @Test
    @SameOnEveryStack
    void aListenerThatThrowsAnErrorIsLoggedAndTheDrainGoesOn(CapturedOutput output) throws Exception {
        GrpcApp app = startWeb();
        app.context().addApplicationListener((ApplicationListener<GrpcDrainStartedEvent>) event -> {
            throw new AssertionError("listener failed on purpose");
        });
        app.context().addApplicationListener((ApplicationListener<GrpcDrainCompletedEvent>) event -> {
            throw new IllegalStateException("listener failed on purpose");
        });
        CompletableFuture<String> reply = app.sleepCall(500);

        timeClose(app);

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 500");
        assertThat(last(drainsCompleted(app)).getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(output).contains("A listener of GrpcDrainStartedEvent failed")
            .contains("A listener of GrpcDrainCompletedEvent failed");
    }

    private static StreamProbe<String> subscribe(GrpcApp app, String request) throws InterruptedException {
        StreamProbe<String> probe = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(
                app.newChannel()
                    .newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
                request, probe);
        return probe.awaitFirstMessage();
    }

    private static Duration timeClose(GrpcApp app) {
        long start = System.nanoTime();
        app.context().close();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
