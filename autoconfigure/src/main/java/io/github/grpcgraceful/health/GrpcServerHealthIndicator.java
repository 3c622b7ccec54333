package io.github.grpcgraceful.health;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import io.github.grpcgraceful.drain.DrainState;
import io.github.grpcgraceful.drain.DrainStatus;
import io.github.grpcgraceful.drain.Durations;
import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;

/** {@code UP} while the gRPC server serves; {@code OUT_OF_SERVICE} from the first moment of the drain on. */
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
        DrainStatus drain = drainer.status();
        if (drain.state() == DrainState.SERVING) {
            builder.up();
        } else {
            builder.outOfService().withDetail("drainingFor", Durations.seconds(drain.elapsed()));
        }
        builder.withDetail("state", drain.state())
                .withDetail("inFlight", tracker.inFlight())
                .withDetail("gracePeriod", Durations.describe(drainer.policy().gracePeriod()))
                .withDetail("drainDelay", Durations.describe(drainer.policy().drainDelay()));
    }
}
