package io.github.grpcgraceful.health;

import org.springframework.context.event.EventListener;

import io.github.grpcgraceful.drain.GrpcDrainStartedEvent;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * Sets every service of the standard gRPC health service ({@code grpc.health.v1}) to NOT_SERVING when the drain
 * starts, while the listener is still open, so that Kubernetes' gRPC probes and health-checking clients see it.
 */
public class GrpcHealthOnDrain {

    private final HealthStatusManager healthStatusManager;

    public GrpcHealthOnDrain(HealthStatusManager healthStatusManager) {
        this.healthStatusManager = healthStatusManager;
    }

    @EventListener
    public void onDrainStarted(GrpcDrainStartedEvent event) {
        // NOT_SERVING for all services, and no later update may turn them back.
        healthStatusManager.enterTerminalState();
    }
}
