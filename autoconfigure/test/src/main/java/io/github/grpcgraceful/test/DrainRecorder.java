package io.github.grpcgraceful.test;

import java.time.Duration;
import java.util.List;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * Takes part in each drain to report it: what it released, what it ended at the deadline,
 * how it ended. One drain at a time, as the engine runs them.
 */
final class DrainRecorder implements DrainParticipant {

    /** The drain under way or last ended; guarded by this. */
    private DrainReport.Builder current = new DrainReport.Builder();

    /** The last drain's report once it ended, or {@code null}; guarded by this. */
    private DrainReport ended;

    @Override
    public synchronized void drainStarted(DrainStart start) {
        current = new DrainReport.Builder();
        current.inFlightAtStart = start.inFlight();
        ended = null;
    }

    @Override
    public synchronized void listenerClosed(DrainDelay delay, List<InFlightCall> released) {
        current.released = List.copyOf(released);
    }

    @Override
    public synchronized void deadlineReached(List<InFlightCall> endedCalls) {
        current.endedAtTheDeadline = List.copyOf(endedCalls);
    }

    @Override
    public synchronized void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        ended = current.build(outcome, took, status);
        notifyAll();
    }

    /**
     * The last drain's report, or {@code null} while none has ended since the last start.
     */
    synchronized DrainReport ended() {
        return ended;
    }

    @Override
    public String toString() {
        return "the grpc-graceful-shutdown-test drain recorder";
    }

}
