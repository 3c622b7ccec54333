package io.github.grpcgraceful.internal.drain;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.api.GrpcServingResumedEvent;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * The drain's steps as the application's events, for the user's listeners: the last
 * participant, so the starter's own (health, readiness, meters) have turned before any
 * listener runs. The engine bounds how long the drain waits for the listeners; what one
 * throws is logged with the event's name.
 */
final class DrainEventsParticipant implements DrainParticipant {

    private static final Logger log = LoggerFactory.getLogger(DrainEventsParticipant.class);

    private final ApplicationEventPublisher publisher;

    /** The events' source. */
    private final Object source;

    DrainEventsParticipant(ApplicationEventPublisher publisher, Object source) {
        this.publisher = publisher;
        this.source = source;
    }

    @Override
    public void drainStarted(DrainStart start) {
        publish(new GrpcDrainStartedEvent(this.source, start.inFlight(), start.delay(), start.gracePeriod()));
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        publish(new GrpcDrainCompletedEvent(this.source, outcome, took, status.completedCalls(), status.failedCalls(),
                status.releasedCalls(), status.endedCalls(), status.delay()));
    }

    @Override
    public void servingResumed(DrainStatus endedDrain) {
        publish(new GrpcServingResumedEvent(this.source, endedDrain));
    }

    private void publish(ApplicationEvent event) {
        try {
            this.publisher.publishEvent(event);
        }
        catch (RuntimeException | Error ex) {
            log.warn("A listener of {} failed", event.getClass().getSimpleName(), ex);
        }
    }

    @Override
    public String toString() {
        return "a listener of the drain's events";
    }

}
