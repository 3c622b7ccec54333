package io.github.grpcgraceful.internal.clock;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The manual clock stands still until it is moved, and once it runs freely (a test's
 * context closing) a wait of seconds on it ends in a hundredth of that.
 */
class ManualDrainClockTest {

    private final ManualDrainClock clock = new ManualDrainClock();

    private final Object monitor = new Object();

    @Test
    void aWaitEndsOnlyWhenTheClockIsMovedToItsDeadline() throws Exception {
        CompletableFuture<Void> waiting = waitFor(Duration.ofSeconds(5));
        await(() -> clock.isWaitedFor(Duration.ofSeconds(5)), Duration.ofSeconds(10));

        clock.advance(Duration.ofSeconds(4));
        assertThat(waiting).as("a second short of its deadline").isNotDone();
        clock.advance(Duration.ofSeconds(1));

        waiting.get(10, TimeUnit.SECONDS);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void runningFreelyEndsAWaitOfSecondsAtOnceAndWakesTheOneUnderWay() throws Exception {
        CompletableFuture<Void> waiting = waitFor(Duration.ofSeconds(30));
        await(() -> clock.isWaitedFor(Duration.ofSeconds(30)), Duration.ofSeconds(10));
        long start = System.nanoTime();

        clock.runFreely();

        waiting.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("30 s on the clock in real time")
            .isLessThan(Duration.ofSeconds(5));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(30));
    }

    /** Waits on the clock until it reaches {@code at}, as the drain does. */
    private CompletableFuture<Void> waitFor(Duration at) {
        return CompletableFuture.runAsync(() -> {
            synchronized (monitor) {
                try {
                    while (at.toNanos() - clock.nanoTime() > 0) {
                        clock.awaitOn(monitor, at.toNanos());
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

}
