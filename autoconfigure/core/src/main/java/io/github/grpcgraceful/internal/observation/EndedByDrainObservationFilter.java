package io.github.grpcgraceful.internal.observation;

import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.Status;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.binder.grpc.GrpcServerObservationContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;

/**
 * Marks the observation of a traced call that the drain ended (at its deadline, on
 * release of a long-lived stream, or at a forced stop) with the high-cardinality key
 * value {@code grpc.drain.ended}, the status its client got, as in
 * {@code UNAVAILABLE: server shutting down: grace period 30s expired}: a span attribute,
 * never a meter's tag. Micrometer's gRPC server observation stops while the handler
 * learns of that end, in the call's context, where the tracker says how the drain ended
 * it. Spring-free.
 */
public final class EndedByDrainObservationFilter implements ObservationFilter {

    /** The key of the value this adds. */
    public static final String KEY = "grpc.drain.ended";

    @Override
    public Observation.Context map(Observation.Context context) {
        if (context instanceof GrpcServerObservationContext) {
            Status ended = InFlightCallTracker.currentCallEndedByDrain();
            if (ended != null) {
                String description = (ended.getDescription() != null) ? ": " + ended.getDescription() : "";
                context.addHighCardinalityKeyValue(KeyValue.of(KEY, ended.getCode() + description));
            }
        }
        return context;
    }

}
