package io.github.grpcgraceful.internal.health;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * Turns the application's readiness to {@link ReadinessState#REFUSING_TRAFFIC} when the
 * drain starts. Spring Boot does this by itself only for web applications, and only later
 * in the shutdown; a gRPC service needs it at once. When the context starts again after
 * the drain, readiness turns back to accepting traffic, if it did before.
 */
public class ReadinessOnDrain implements DrainParticipant {

    private final ApplicationEventPublisher events;

    private final ApplicationAvailability availability;

    private volatile boolean refused;

    /**
     * {@code availability} may be {@code null}: readiness was then taken to accept
     * traffic before the drain.
     */
    public ReadinessOnDrain(ApplicationEventPublisher events, ApplicationAvailability availability) {
        this.events = events;
        this.availability = availability;
    }

    @Override
    public void drainStarted(DrainStart start) {
        refused = availability == null || availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    @Override
    public void servingResumed(DrainStatus endedDrain) {
        if (refused) {
            refused = false;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @Override
    public String toString() {
        return "readiness";
    }

}
