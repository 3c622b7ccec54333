package io.github.grpcgraceful.internal.inflight;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a tracker knows of one method: its calls started and finished, and whether its calls are long-lived streams.
 * One counter goes up when a call starts and one when it finishes: adders, which stay cheap when many threads count at
 * once. A call reaches its tracker through its method, one field less per call.
 */
final class ServedMethod {

    private final InFlightCallTracker tracker;
    private final LongAdder started = new LongAdder();
    /** Calls that finished on their own: neither released nor ended by the drain. */
    private final LongAdder completed = new LongAdder();
    /** Calls that finished after the drain released or ended them. */
    private final LongAdder closedByDrain = new LongAdder();
    private final boolean longLived;
    private final boolean unary;

    ServedMethod(InFlightCallTracker tracker, boolean longLived, boolean unary) {
        this.tracker = tracker;
        this.longLived = longLived;
        this.unary = unary;
    }

    InFlightCallTracker tracker() {
        return tracker;
    }

    /** Whether the drain releases this method's calls as soon as the listeners close, instead of waiting for them. */
    boolean longLived() {
        return longLived;
    }

    /**
     * Whether the method is unary: its handler runs when the call starts and when its request is complete
     * ({@code onHalfClose}, where gRPC's stubs call the method), not in between.
     */
    boolean unary() {
        return unary;
    }

    int inFlight() {
        // Finished first: every call counted finished here was counted started before, so this is never negative.
        long finished = completed.sum() + closedByDrain.sum();
        return (int) (started.sum() - finished);
    }

    long startedCalls() {
        return started.sum();
    }

    long completed() {
        return completed.sum();
    }

    void started() {
        started.increment();
    }

    void finished(boolean closedByDrain) {
        (closedByDrain ? this.closedByDrain : completed).increment();
    }
}
