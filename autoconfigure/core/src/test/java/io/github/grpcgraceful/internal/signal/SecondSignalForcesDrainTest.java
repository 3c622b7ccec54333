package io.github.grpcgraceful.internal.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * The handlers come and go with the drain, in this JVM, with a real signal: a SIGTERM
 * raised while they are in place forces the drain instead of starting the JVM's shutdown.
 * The JVM's shutdown is stood in for, since a test cannot shut its own JVM down; that the
 * real one is seen, and that a real second SIGTERM ends a real process promptly, the
 * samples' {@code GracefulShutdownIT} proves.
 */
class SecondSignalForcesDrainTest {

    private static final DrainStart START = new DrainStart(1, Duration.ZERO, Duration.ofSeconds(30), List.of());

    private final CompletableFuture<String> forced = new CompletableFuture<>();

    @Test
    void aSignalDuringTheDrainForcesItAndTheHandlersAreGoneWhenItEnds() throws Exception {
        SecondSignalForcesDrain participant = new SecondSignalForcesDrain(forced::complete, () -> true, () -> true);

        participant.drainStarted(START);
        // Only raised where ours took it: without it, a SIGTERM would end this JVM.
        assertThat(participant.handles("TERM")).as("in place while the drain runs").isTrue();
        Signal.raise(new Signal("TERM"));

        assertThat(forced.get(10, TimeUnit.SECONDS)).isEqualTo("a second SIGTERM");
        participant.drainEnded(DrainOutcome.FORCED, Duration.ZERO, DrainStatus.SERVING);
        assertThat(participant.handles("TERM")).as("gone once the drain ended").isFalse();
        assertThat(participant.handles("INT")).isFalse();
    }

    @Test
    void turnedOffOrOutsideTheJvmsShutdownItLeavesTheSignalsAlone() {
        SecondSignalForcesDrain off = new SecondSignalForcesDrain(forced::complete, () -> false, () -> true);
        SecondSignalForcesDrain running = new SecondSignalForcesDrain(forced::complete, () -> true,
                SecondSignalForcesDrain::jvmShuttingDown);

        off.drainStarted(START);
        running.drainStarted(START);

        assertThat(off.handles("TERM")).as("grpc.shutdown.force-on-second-signal=false").isFalse();
        assertThat(running.handles("TERM")).as("a drain while the JVM runs on (a stop, a closed context)").isFalse();
        assertThat(SecondSignalForcesDrain.jvmShuttingDown()).isFalse();
    }

}
