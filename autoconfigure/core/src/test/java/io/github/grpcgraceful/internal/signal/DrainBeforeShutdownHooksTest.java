package io.github.grpcgraceful.internal.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * In this JVM, with real signals: a SIGTERM drains first and goes on to the JVM's own
 * handler only once the drain is over, and a SIGINT during that drain forces it. The
 * JVM's shutdown is stood in for, since a test cannot shut its own JVM down; the samples'
 * {@code GracefulShutdownIT} proves it on a real process, and that a Flight Recorder
 * recording dumped at its exit holds the drain.
 */
class DrainBeforeShutdownHooksTest {

    private final List<String> happened = new CopyOnWriteArrayList<>();

    private final CountDownLatch drainStarted = new CountDownLatch(1);

    private final CompletableFuture<String> forced = new CompletableFuture<>();

    private final CompletableFuture<SignalHandler> handedOnTo = new CompletableFuture<>();

    @Test
    void aSignalDrainsFirstThenGoesOnToTheJvmAndASecondOneForcesTheDrain() throws Exception {
        DrainBeforeShutdownHooks hooks = new DrainBeforeShutdownHooks(() -> {
            happened.add("drain started");
            drainStarted.countDown();
            // The drain runs until something forces it.
            forced.join();
            happened.add("drain ended");
        }, (reason) -> forced.complete(reason), () -> true, (signal, previous) -> {
            happened.add("SIG" + signal.getName() + " handed on");
            handedOnTo.complete(previous);
        });
        hooks.install();
        try {
            // Only raised where ours took it: without it, a SIGTERM would end this JVM.
            assertThat(hooks.handles("TERM")).isTrue();
            assertThat(hooks.handles("INT")).isTrue();
            Signal.raise(new Signal("TERM"));
            assertThat(drainStarted.await(10, TimeUnit.SECONDS)).as("the drain started").isTrue();
            assertThat(handedOnTo).as("the JVM is not told while the drain runs").isNotDone();

            Signal.raise(new Signal("INT"));

            assertThat(forced.get(10, TimeUnit.SECONDS)).isEqualTo("a second SIGINT");
            assertThat(handedOnTo.get(10, TimeUnit.SECONDS)).as("the JVM's own handler, which exits")
                .isNotNull()
                .isNotIn(SignalHandler.SIG_DFL, SignalHandler.SIG_IGN);
            assertThat(happened).containsExactly("drain started", "drain ended", "SIGTERM handed on");
        }
        finally {
            hooks.close();
        }
        assertThat(hooks.handles("TERM")).as("gone once closed").isFalse();
        assertThat(hooks.handles("INT")).isFalse();
    }

    @Test
    void withForcingTurnedOffASecondSignalLeavesTheDrainToRunOn() throws Exception {
        CountDownLatch secondSignalSeen = new CountDownLatch(1);
        CompletableFuture<Void> drainMayEnd = new CompletableFuture<>();
        DrainBeforeShutdownHooks hooks = new DrainBeforeShutdownHooks(() -> {
            drainStarted.countDown();
            drainMayEnd.join();
        }, (reason) -> forced.complete(reason), () -> {
            secondSignalSeen.countDown();
            return false;
        }, (signal, previous) -> handedOnTo.complete(previous));
        hooks.install();
        try {
            assertThat(hooks.handles("TERM")).isTrue();
            Signal.raise(new Signal("TERM"));
            assertThat(drainStarted.await(10, TimeUnit.SECONDS)).as("the drain started").isTrue();

            Signal.raise(new Signal("TERM"));

            assertThat(secondSignalSeen.await(10, TimeUnit.SECONDS)).as("the second signal came").isTrue();
            assertThat(forced).as("grpc.shutdown.force-on-second-signal=false").isNotDone();
            assertThat(handedOnTo).as("the drain runs on").isNotDone();
            drainMayEnd.complete(null);
            assertThat(handedOnTo.get(10, TimeUnit.SECONDS)).isNotNull();
        }
        finally {
            hooks.close();
        }
    }

}
