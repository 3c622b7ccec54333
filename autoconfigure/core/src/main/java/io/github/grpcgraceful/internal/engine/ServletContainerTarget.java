package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;

/**
 * gRPC served by the servlet container (grpc-servlet), on the connector that also serves
 * Actuator: there is no gRPC server to close, so the tracker refuses new calls with
 * {@code UNAVAILABLE} instead, while the container keeps serving HTTP; the container's
 * own graceful shutdown comes after the drain.
 */
public final class ServletContainerTarget implements DrainTarget {

    private static final Status REFUSAL = Status.UNAVAILABLE
        .withDescription("server shutting down: no new calls, retry on another server");

    private final InFlightCallTracker tracker;

    private final Supplier<List<ServerServiceDefinition>> services;

    public ServletContainerTarget(InFlightCallTracker tracker, Supplier<List<ServerServiceDefinition>> services) {
        this.tracker = tracker;
        this.services = services;
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
     * The container's own shutdown comes after the drain: nothing of the drain's to wait
     * for.
     */
    @Override
    public boolean awaitTerminated(Duration timeout) {
        return true;
    }

    /**
     * The container's connections are its own: what still runs was ended by the drain.
     */
    @Override
    public void forceStop() {
    }

    @Override
    public void drained() {
    }

}
