package io.github.grpcgraceful.inflight;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a tracker knows of one method: its calls in flight, and whether its calls are long-lived streams. A call
 * reaches its tracker through its method, one field less per call.
 */
final class ServedMethod {

    private final InFlightCallTracker tracker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final boolean longLived;

    ServedMethod(InFlightCallTracker tracker, boolean longLived) {
        this.tracker = tracker;
        this.longLived = longLived;
    }

    InFlightCallTracker tracker() {
        return tracker;
    }

    /** Whether the drain releases this method's calls as soon as the listeners close, instead of waiting for them. */
    boolean longLived() {
        return longLived;
    }

    int inFlight() {
        return inFlight.get();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
    }
}
