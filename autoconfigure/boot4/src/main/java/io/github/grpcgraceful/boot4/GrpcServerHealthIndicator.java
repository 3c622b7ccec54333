package io.github.grpcgraceful.boot4;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.health.GrpcServerHealth;
import io.github.grpcgraceful.inflight.InFlightCallTracker;

/** {@link GrpcServerHealth} through Spring Boot 4's health API. */
public class GrpcServerHealthIndicator extends AbstractHealthIndicator {

    private final GrpcServerDrainer drainer;
    private final InFlightCallTracker tracker;

    public GrpcServerHealthIndicator(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        super("gRPC server health check failed");
        this.drainer = drainer;
        this.tracker = tracker;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        GrpcServerHealth health = GrpcServerHealth.of(drainer, tracker);
        (health.serving() ? builder.up() : builder.outOfService()).withDetails(health.details());
    }
}
