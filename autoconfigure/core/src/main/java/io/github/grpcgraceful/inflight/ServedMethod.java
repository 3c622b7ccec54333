package io.github.grpcgraceful.inflight;

import java.util.concurrent.atomic.AtomicInteger;

/** What the tracker knows of one method: its calls in flight, and whether its calls are long-lived streams. */
final class ServedMethod {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final boolean longLived;

    ServedMethod(boolean longLived) {
        this.longLived = longLived;
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
