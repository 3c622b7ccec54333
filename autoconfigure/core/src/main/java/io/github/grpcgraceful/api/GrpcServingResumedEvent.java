package io.github.grpcgraceful.api;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the context starts again after a drain (a lifecycle restart, or a cached
 * test context resumed): the gRPC servers serve again, and whatever the drain turned out
 * of service is turned back.
 */
public class GrpcServingResumedEvent extends ApplicationEvent {

    private final DrainStatus previousDrain;

    public GrpcServingResumedEvent(Object source, DrainStatus previousDrain) {
        super(source);
        this.previousDrain = previousDrain;
    }

    /** The drain that ended before this start. */
    public DrainStatus getPreviousDrain() {
        return previousDrain;
    }

}
