package io.github.grpcgraceful.drain;

import static io.github.grpcgraceful.testing.TestGrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.testing.FixedAddresses;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.TestGrpcApp;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/**
 * grpc-java's own client-side health checking against two real servers, one of which drains: the client follows the
 * NOT_SERVING on its Watch stream, and that stream does not hold the drain.
 */
class ClientHealthCheckingTest {

    private TestGrpcApp draining;
    private TestGrpcApp staying;
    private ManagedChannel balanced;

    @AfterEach
    void close() {
        if (balanced != null) {
            balanced.shutdownNow();
        }
        for (TestGrpcApp app : new TestGrpcApp[] {draining, staying}) {
            if (app != null) {
                app.close();
            }
        }
    }

    @Test
    void theClientMovesAwayDuringTheDrainDelayLosesNoCallAndTheServerExitsAfterItsLastUnaryCall() throws Exception {
        draining = TestGrpcApp.start("grpc.shutdown.drain-delay=1500ms", "grpc.shutdown.grace-period=20s");
        staying = TestGrpcApp.start();
        balanced = FixedAddresses.healthCheckedRoundRobin(List.of(draining.grpcPort(), staying.grpcPort()));
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (loading.get() && System.nanoTime() < stopAt) {
                try {
                    ClientCalls.blockingUnaryCall(balanced, SlowService.SLEEP,
                            CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "0");
                    succeeded.incrementAndGet();
                } catch (StatusRuntimeException e) {
                    failed.incrementAndGet();
                }
            }
        });
        await(() -> draining.service().received() > 5 && staying.service().received() > 5, Duration.ofSeconds(20));
        CompletableFuture<String> lastUnary = draining.sleepCall(2500);
        GrpcServerDrainer drainer = draining.context().getBean(GrpcServerDrainer.class);

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = draining.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));
        Thread.sleep(500);
        int receivedHalfwayThroughTheDelay = draining.service().received();
        await(() -> drainer.status().state() != DrainState.DELAYING, Duration.ofSeconds(5));
        int receivedAtListenerClose = draining.service().received();

        assertThat(lastUnary.get(10, TimeUnit.SECONDS)).isEqualTo("slept 2500");
        closed.get(10, TimeUnit.SECONDS);
        Duration closeTook = Duration.ofNanos(System.nanoTime() - closeStart);
        int succeededBeforeStop = succeeded.get();
        Thread.sleep(300);
        loading.set(false);
        load.get(10, TimeUnit.SECONDS);

        assertThat(receivedAtListenerClose).as("calls reaching the draining server late in its drain-delay")
                .isEqualTo(receivedHalfwayThroughTheDelay);
        assertThat(failed.get()).as("failed calls").isZero();
        assertThat(succeeded.get()).as("the other server served on").isGreaterThan(succeededBeforeStop);
        assertThat(closeTook).as("close right after the last unary call, not at the deadline")
                .isLessThan(Duration.ofMillis(2500 + 2500));
        GrpcDrainCompletedEvent completed = draining.drainCompleted();
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        // The client's Watch stream did not hold the drain (it took well under the grace period, above). The server
        // releases it right after it sends GOAWAY, unless the client, reading the GOAWAY, cancels it first; and the
        // client may open a new one before that, released in turn.
        assertThat(completed.getReleasedCalls()).as("the client's Watch streams").isBetween(0L, 3L);
    }
}
