package io.github.grpcgraceful.observation;

import java.util.Locale;

import io.github.grpcgraceful.api.DrainStatus;
import io.micrometer.common.KeyValues;

/**
 * The drain as the observation {@code grpc.server.drain} (a span named
 * {@code grpc server drain}, a timer of the same name): low-cardinality {@code outcome}
 * ({@code completed}, {@code forced}, or {@code unknown} while it runs) and
 * {@code delay.end} ({@code fixed}, {@code evidence}, {@code maximum}, or {@code none}
 * before the delay ended); its counts as high-cardinality key values, which become the
 * span's attributes.
 */
public class DefaultGrpcDrainObservationConvention implements GrpcDrainObservationConvention {

    /** The observation's name. */
    public static final String NAME = "grpc.server.drain";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(GrpcDrainObservationContext context) {
        return "grpc server drain";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(GrpcDrainObservationContext context) {
        String outcome = (context.getOutcome() != null) ? context.getOutcome().tag() : "unknown";
        String delayEnd = (context.getDelayEnd() != null) ? context.getDelayEnd().name().toLowerCase(Locale.ROOT)
                : "none";
        return KeyValues.of("outcome", outcome, "delay.end", delayEnd);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(GrpcDrainObservationContext context) {
        KeyValues started = KeyValues.of("calls.at.start", String.valueOf(context.getInFlightAtStart()), "drain.delay",
                context.getDrainDelay().toString(), "grace.period", context.getGracePeriod().toString());
        DrainStatus ended = context.getEnded();
        if (ended == null) {
            return started;
        }
        return started.and("calls.completed", String.valueOf(ended.completedCalls()))
            .and("calls.failed", String.valueOf(ended.failedCalls()))
            .and("calls.released", String.valueOf(ended.releasedCalls()))
            .and("calls.ended", String.valueOf(ended.endedCalls()));
    }

}
