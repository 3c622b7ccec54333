package io.github.grpcgraceful.internal.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * What the {@code grpcServer} health indicator reports, whichever Spring Boot health API
 * shows it: up while serving, out of service from the first moment of the drain, with the
 * drain's details.
 *
 * @param serving whether no drain has started
 * @param details state, calls in flight, the policy's durations and, while draining, for
 * how long
 */
public record GrpcServerHealth(boolean serving, Map<String, Object> details) {

    public static GrpcServerHealth of(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        DrainStatus drain = drainer.status();
        Map<String, Object> details = new LinkedHashMap<>();
        boolean serving = drain.state() == DrainState.SERVING;
        if (!serving) {
            details.put("drainingFor", Durations.seconds(drain.elapsed()));
        }
        details.put("state", drain.state());
        details.put("inFlight", tracker.inFlight());
        details.put("gracePeriod", Durations.describe(drainer.policy().gracePeriod()));
        details.put("drainDelay", Durations.describe(drainer.policy().drainDelay()));
        return new GrpcServerHealth(serving, details);
    }
}
