package io.github.grpcgraceful.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names a drain's observation and its key values. Declare a bean of this type to replace
 * {@link DefaultGrpcDrainObservationConvention}, or extend that one to add to it.
 */
public interface GrpcDrainObservationConvention extends ObservationConvention<GrpcDrainObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof GrpcDrainObservationContext;
    }

}
