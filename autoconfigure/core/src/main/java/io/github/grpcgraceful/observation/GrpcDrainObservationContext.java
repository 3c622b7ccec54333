package io.github.grpcgraceful.observation;

import java.time.Duration;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.micrometer.observation.Observation;

/**
 * What an observation of a drain knows: what it started with, then how its drain-delay
 * ended, then how it ended and its counts. A convention reads it to name the observation
 * and its key values.
 */
public class GrpcDrainObservationContext extends Observation.Context {

    private final int inFlightAtStart;

    private final Duration drainDelay;

    private final Duration gracePeriod;

    private volatile DrainDelay.End delayEnd;

    private volatile DrainOutcome outcome;

    private volatile DrainStatus ended;

    /**
     * A drain as it starts.
     * @param inFlightAtStart the calls in flight when it started
     * @param drainDelay the drain-delay it starts with (its maximum, if it ends on
     * evidence)
     * @param gracePeriod the grace period after the delay
     */
    public GrpcDrainObservationContext(int inFlightAtStart, Duration drainDelay, Duration gracePeriod) {
        this.inFlightAtStart = inFlightAtStart;
        this.drainDelay = drainDelay;
        this.gracePeriod = gracePeriod;
    }

    /** The calls in flight when the drain started. */
    public int getInFlightAtStart() {
        return this.inFlightAtStart;
    }

    /** The drain-delay the drain started with (its maximum, if it ends on evidence). */
    public Duration getDrainDelay() {
        return this.drainDelay;
    }

    /** The grace period after the delay. */
    public Duration getGracePeriod() {
        return this.gracePeriod;
    }

    /**
     * How the drain-delay ended, or {@code null} until it has (or if it was cut short).
     */
    public DrainDelay.End getDelayEnd() {
        return this.delayEnd;
    }

    public void setDelayEnd(DrainDelay.End delayEnd) {
        this.delayEnd = delayEnd;
    }

    /** How the drain ended, or {@code null} while it runs. */
    public DrainOutcome getOutcome() {
        return this.outcome;
    }

    public void setOutcome(DrainOutcome outcome) {
        this.outcome = outcome;
    }

    /** The ended drain with its counts, or {@code null} while it runs. */
    public DrainStatus getEnded() {
        return this.ended;
    }

    public void setEnded(DrainStatus ended) {
        this.ended = ended;
    }

}
