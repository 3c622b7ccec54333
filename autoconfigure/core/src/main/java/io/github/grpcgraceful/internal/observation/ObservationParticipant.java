package io.github.grpcgraceful.internal.observation;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.internal.engine.InFlightCalls;
import io.github.grpcgraceful.observation.DefaultGrpcDrainObservationConvention;
import io.github.grpcgraceful.observation.GrpcDrainObservationContext;
import io.github.grpcgraceful.observation.GrpcDrainObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The drain as one Micrometer {@link Observation}, from its start to its end: a span when
 * the application traces, a timer when it meters. Each step is an event whose name is
 * fixed ({@code out.of.service}, {@code delay.ended}, {@code listener.closed},
 * {@code streams.released}, {@code deadline}, {@code drained}) and whose contextual name,
 * the span event's name, says what happened. Spring-free.
 */
public final class ObservationParticipant implements DrainParticipant {

    private static final DefaultGrpcDrainObservationConvention DEFAULT_CONVENTION = new DefaultGrpcDrainObservationConvention();

    private final ObservationRegistry registry;

    private final GrpcDrainObservationConvention convention;

    /** The drain under way, started at its start; guarded by this. */
    private Observed drain;

    /**
     * @param registry where the drain is observed
     * @param convention the application's convention, or {@code null} for
     * {@link DefaultGrpcDrainObservationConvention}
     */
    public ObservationParticipant(ObservationRegistry registry, GrpcDrainObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public void drainStarted(DrainStart start) {
        GrpcDrainObservationContext context = new GrpcDrainObservationContext(start.inFlight(), start.delay(),
                start.gracePeriod());
        Observation started = Observation
            .createNotStarted(this.convention, DEFAULT_CONVENTION, () -> context, this.registry)
            .start();
        synchronized (this) {
            this.drain = new Observed(started, context);
        }
        started.event(Observation.Event.of("out.of.service",
                "out of service: " + start.inFlight() + " in flight, drain-delay " + Durations.describe(start.delay())
                        + ", grace period " + Durations.describe(start.gracePeriod())));
    }

    @Override
    public void listenerClosed(DrainDelay delay, List<InFlightCall> released) {
        Observed observed = current();
        if (observed == null) {
            return;
        }
        Observation current = observed.observation();
        if (delay != null) {
            observed.context().setDelayEnd(delay.end());
            current.event(Observation.Event.of("delay.ended", "drain-delay ended "
                    + delay.end().name().toLowerCase(Locale.ROOT) + " after " + Durations.describe(delay.took())));
        }
        current.event(Observation.Event.of("listener.closed", "listener closed: new calls refused"));
        if (!released.isEmpty()) {
            current.event(Observation.Event.of("streams.released",
                    "released " + released.size() + " long-lived: " + InFlightCalls.describe(released)));
        }
    }

    @Override
    public void deadlineReached(List<InFlightCall> ended) {
        Observed observed = current();
        if (observed != null) {
            observed.observation()
                .event(Observation.Event.of("deadline", "deadline: ended " + ended.size() + " with UNAVAILABLE"
                        + (ended.isEmpty() ? "" : ": " + InFlightCalls.describe(ended))));
        }
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        Observed observed;
        synchronized (this) {
            observed = this.drain;
            this.drain = null;
        }
        if (observed == null) {
            return;
        }
        observed.context().setOutcome(outcome);
        observed.context().setEnded(status);
        Observation ended = observed.observation();
        ended.event(Observation.Event.of("drained", "drained: " + outcome.tag() + " in " + Durations.describe(took)));
        ended.stop();
    }

    private synchronized Observed current() {
        return this.drain;
    }

    @Override
    public String toString() {
        return "the drain's observation";
    }

    /**
     * The drain's observation and its context, kept apart: where nothing observes, the
     * observation is a no-op whose context is not the drain's.
     */
    private record Observed(Observation observation, GrpcDrainObservationContext context) {
    }

}
