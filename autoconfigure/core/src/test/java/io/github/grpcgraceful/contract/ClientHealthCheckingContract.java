package io.github.grpcgraceful.contract;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.testing.FixedAddresses;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.GrpcApp;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/**
 * grpc-java's own client-side health checking against two real servers, one of which
 * drains: the client follows the NOT_SERVING on its Watch stream, and that stream does
 * not hold the drain.
 */
public abstract class ClientHealthCheckingContract extends GrpcAppContract {

    private ManagedChannel balanced;

    @AfterEach
    void closeChannel() {
        if (balanced != null) {
            balanced.shutdownNow();
        }
    }

    /**
     * What differs between stacks here, their health service turning NOT_SERVING on a
     * Watch stream and that stream not holding the drain, every stack proves in
     * {@link ObservabilityContract} and {@link LongLivedStreamsContract}; that a client
     * follows it is grpc-java's own, the same whichever server drains.
     */
    @Test
    @SameOnEveryStack
    void theClientMovesAwayDuringTheDrainDelayLosesNoCallAndTheServerExitsAfterItsLastUnaryCall() throws Exception {
        GrpcApp draining = start("grpc.shutdown.drain-delay=3s", "grpc.shutdown.grace-period=20s");
        GrpcApp staying = start();
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
                }
                catch (StatusRuntimeException e) {
                    failed.incrementAndGet();
                }
            }
        });
        await(() -> draining.service().received() > 5 && staying.service().received() > 5, Duration.ofSeconds(20));
        CompletableFuture<String> lastUnary = draining.sleepCall(4000);
        GrpcServerDrainer drainer = draining.context().getBean(GrpcServerDrainer.class);

        long closeStart = System.nanoTime();
        CompletableFuture<Void> closed = draining.closeAsync();
        await(() -> drainer.status().state() == DrainState.DELAYING, Duration.ofSeconds(5));
        int receivedOnceMovedAway = awaitMovedAway(draining, staying);
        assertThat(drainer.status().state()).as("the client moved away within the drain-delay")
            .isEqualTo(DrainState.DELAYING);
        await(() -> drainer.status().state() != DrainState.DELAYING, Duration.ofSeconds(10));
        int receivedAtListenerClose = draining.service().received();

        assertThat(lastUnary.get(10, TimeUnit.SECONDS)).isEqualTo("slept 4000");
        closed.get(10, TimeUnit.SECONDS);
        Duration closeTook = Duration.ofNanos(System.nanoTime() - closeStart);
        int succeededBeforeStop = succeeded.get();
        await(() -> succeeded.get() > succeededBeforeStop + 5, Duration.ofSeconds(10));
        loading.set(false);
        load.get(10, TimeUnit.SECONDS);

        assertThat(receivedAtListenerClose).as("calls reaching the draining server once the client moved away")
            .isEqualTo(receivedOnceMovedAway);
        assertThat(failed.get()).as("failed calls").isZero();
        assertThat(succeeded.get()).as("the other server served on").isGreaterThan(succeededBeforeStop);
        assertThat(closeTook).as("close right after the last unary call, not at the deadline")
            .isLessThan(Duration.ofSeconds(12));
        GrpcDrainCompletedEvent completed = draining.drainCompleted();
        assertThat(completed.getOutcome()).isEqualTo(DrainOutcome.COMPLETED);
        // The client's Watch stream did not hold the drain (it took well under the grace
        // period, above). The server
        // releases it right after it sends GOAWAY, unless the client, reading the GOAWAY,
        // cancels it first; and the
        // client may open a new one before that, released in turn.
        assertThat(completed.getReleasedCalls()).as("the client's Watch streams").isBetween(0L, 3L);
    }

    /**
     * Waits until the client sends its calls elsewhere: 20 calls in a row reach the other
     * server while none reaches the draining one. Returns what the draining server had
     * received by then.
     */
    private static int awaitMovedAway(GrpcApp draining, GrpcApp staying) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = draining.service().received();
        int elsewhere = staying.service().received();
        while (staying.service().received() - elsewhere < 20) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the client kept calling the draining server");
            }
            Thread.sleep(5);
            int now = draining.service().received();
            if (now != seen) {
                seen = now;
                elsewhere = staying.service().received();
            }
        }
        return seen;
    }

}
