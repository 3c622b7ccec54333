package io.github.grpcgraceful.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;
import io.github.grpcgraceful.internal.inflight.HandlerThreads;

/**
 * Takes part in each drain to report it: how its drain-delay ended, what it released,
 * what it ended at the deadline, how it ended, and which handlers still ran then. One
 * drain at a time, as the engine runs them.
 */
final class DrainRecorder implements DrainParticipant {

    /** The drain under way or last ended; guarded by this. */
    private DrainReport.Builder current = new DrainReport.Builder();

    /** The last drain's report once it ended, or {@code null}; guarded by this. */
    private DrainReport ended;

    /**
     * Whether the drain under way has told its start to every participant before this one
     * (health, readiness, meters): told last, this one hears it after them; guarded by
     * this.
     */
    private boolean startTold;

    @Override
    public synchronized void drainStarted(DrainStart start) {
        current = new DrainReport.Builder();
        current.inFlightAtStart = start.inFlight();
        ended = null;
        startTold = true;
    }

    @Override
    public synchronized void listenerClosed(DrainDelay delay, List<InFlightCall> released) {
        current.released = List.copyOf(released);
        current.delay = (delay != null && delay.took().isZero() && delay.end() == DrainDelay.End.FIXED) ? null : delay;
    }

    @Override
    public synchronized void deadlineReached(List<InFlightCall> endedCalls) {
        current.endedAtTheDeadline = List.copyOf(endedCalls);
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        // Read outside the lock: it walks every thread's stack.
        List<String> stillAtWork = new ArrayList<>();
        HandlerThreads.atWork().forEach((thread, stack) -> stillAtWork.add(HandlerThreads.describe(thread, stack)));
        synchronized (this) {
            ended = current.build(outcome, took, status, List.copyOf(stillAtWork));
            startTold = false;
            notifyAll();
        }
    }

    /** Whether a drain runs whose participants have all been told of its start. */
    synchronized boolean startTold() {
        return startTold;
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
