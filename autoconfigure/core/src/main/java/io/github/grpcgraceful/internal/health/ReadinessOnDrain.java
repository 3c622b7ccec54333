package io.github.grpcgraceful.internal.health;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.api.GrpcServingResumedEvent;

/**
 * Turns the application's readiness to {@link ReadinessState#REFUSING_TRAFFIC} when the
 * drain starts. Spring Boot does this by itself only for web applications, and only later
 * in the shutdown; a gRPC service needs it at once. When the context starts again after
 * the drain, readiness turns back to accepting traffic, if it did before.
 */
public class ReadinessOnDrain {

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

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void onDrainStarted(GrpcDrainStartedEvent event) {
        refused = availability == null || availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        AvailabilityChangeEvent.publish(events, event.getSource(), ReadinessState.REFUSING_TRAFFIC);
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void onServingResumed(GrpcServingResumedEvent event) {
        if (refused) {
            refused = false;
            AvailabilityChangeEvent.publish(events, event.getSource(), ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

}
