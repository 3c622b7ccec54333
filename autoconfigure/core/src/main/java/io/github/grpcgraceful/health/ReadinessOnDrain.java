package io.github.grpcgraceful.health;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;

import io.github.grpcgraceful.drain.GrpcDrainStartedEvent;

/**
 * Turns the application's readiness to {@link ReadinessState#REFUSING_TRAFFIC} when the drain starts. Spring Boot does
 * this by itself only for web applications, and only later in the shutdown; a gRPC service needs it at once.
 */
public class ReadinessOnDrain {

    private final ApplicationEventPublisher events;

    public ReadinessOnDrain(ApplicationEventPublisher events) {
        this.events = events;
    }

    @EventListener
    public void onDrainStarted(GrpcDrainStartedEvent event) {
        AvailabilityChangeEvent.publish(events, event.getSource(), ReadinessState.REFUSING_TRAFFIC);
    }
}
