package io.github.grpcgraceful.internal.inflight;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a tracker knows of one method: its calls started and finished, and whether it is
 * unary. One counter goes up when a call starts and one when it finishes: adders, which
 * stay cheap when many threads count at once. A call reaches its tracker through its
 * method, one field less per call.
 */
final class ServedMethod {

    private final InFlightCallTracker tracker;

    private final LongAdder started = new LongAdder();

    /** Calls that finished on their own: neither released nor ended by the drain. */
    private final LongAdder completed = new LongAdder();

    /**
     * Of those, calls whose clients did not get OK: closed with an error status, or
     * cancelled.
     */
    private final LongAdder failed = new LongAdder();

    /** Calls that finished after the drain released or ended them. */
    private final LongAdder closedByDrain = new LongAdder();

    private final boolean unary;

    /** Whether its callers probe health (gRPC health {@code Check}). */
    private final boolean healthCheck;

    ServedMethod(InFlightCallTracker tracker, boolean unary, boolean healthCheck) {
        this.tracker = tracker;
        this.unary = unary;
        this.healthCheck = healthCheck;
    }

    boolean healthCheck() {
        return healthCheck;
    }

    InFlightCallTracker tracker() {
        return tracker;
    }

    /**
     * Whether the method is unary: its handler runs when the call starts and when its
     * request is complete ({@code onHalfClose}, where gRPC's stubs call the method), not
     * in between.
     */
    boolean unary() {
        return unary;
    }

    int inFlight() {
        // Finished first: every call counted finished here was counted started before, so
        // this is never negative.
        long finished = completed.sum() + closedByDrain.sum();
        return (int) (started.sum() - finished);
    }

    long startedCalls() {
        return started.sum();
    }

    long completed() {
        return completed.sum();
    }

    long failed() {
        return failed.sum();
    }

    void started() {
        started.increment();
    }

    /**
     * A call finished: closed by the drain, or on its own, then {@code failed} if its
     * client did not get OK.
     */
    void finished(boolean closedByDrain, boolean failed) {
        if (closedByDrain) {
            this.closedByDrain.increment();
            return;
        }
        if (failed) {
            // Before the completed count, so that the failed count never exceeds it.
            this.failed.increment();
        }
        completed.increment();
    }

}
