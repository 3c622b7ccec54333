package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC served by the servlet container (grpc-servlet), on the connector that also serves
 * Actuator: there is no gRPC server to close, so the tracker refuses new calls with
 * {@code UNAVAILABLE} instead, while the container keeps serving HTTP; the container's
 * own graceful shutdown comes after the drain. The drain ends only once the container has
 * written every reply to its end ({@link ContainerExchanges}): a handler's close only
 * hands the reply to the container.
 */
public final class ServletContainerTarget implements DrainTarget {

    private static final Logger log = LoggerFactory.getLogger(ServletContainerTarget.class);

    private static final Status REFUSAL = Status.UNAVAILABLE
        .withDescription("server shutting down: no new calls, retry on another server");

    private final InFlightCallTracker tracker;

    private final Supplier<List<ServerServiceDefinition>> services;

    private final ContainerExchanges exchanges;

    public ServletContainerTarget(InFlightCallTracker tracker, Supplier<List<ServerServiceDefinition>> services,
            ContainerExchanges exchanges) {
        this.tracker = tracker;
        this.services = services;
        this.exchanges = exchanges;
    }

    @Override
    public boolean hasAnythingToDrain() {
        return true;
    }

    @Override
    public List<ServerServiceDefinition> services() {
        return services.get();
    }

    @Override
    public String describe() {
        return "gRPC on the servlet container";
    }

    @Override
    public String stopAccepting() {
        tracker.refuseNewCalls(REFUSAL);
        return "New gRPC calls refused with UNAVAILABLE (the servlet container's connector stays open)";
    }

    /**
     * The container's own shutdown comes after the drain: what the drain waits for is the
     * container writing the replies it was handed to their end.
     */
    @Override
    public boolean awaitTerminated(Duration timeout) throws InterruptedException {
        return exchanges.awaitNone(timeout);
    }

    /**
     * The container's connections are its own: what still runs was ended by the drain.
     */
    @Override
    public void forceStop() {
        long open = exchanges.open();
        if (open > 0) {
            log.warn("The servlet container has not finished writing {} gRPC {}: its own shutdown comes next", open,
                    (open == 1) ? "reply" : "replies");
        }
    }

    @Override
    public void drained() {
    }

}
