package io.github.grpcgraceful.api;

import java.time.Duration;

import org.springframework.context.ApplicationEvent;

/**
 * Published once when the drain starts, before the drain-delay: from now on the server is
 * going away.
 */
public class GrpcDrainStartedEvent extends ApplicationEvent {

    private final int inFlightCalls;

    private final Duration drainDelay;

    private final Duration gracePeriod;

    public GrpcDrainStartedEvent(Object source, int inFlightCalls, Duration drainDelay, Duration gracePeriod) {
        super(source);
        this.inFlightCalls = inFlightCalls;
        this.drainDelay = drainDelay;
        this.gracePeriod = gracePeriod;
    }

    /** Calls in flight when the drain started. */
    public int getInFlightCalls() {
        return inFlightCalls;
    }

    public Duration getDrainDelay() {
        return drainDelay;
    }

    public Duration getGracePeriod() {
        return gracePeriod;
    }

}
