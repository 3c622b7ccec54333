package io.github.grpcgraceful.api;

import java.time.Duration;

import org.springframework.context.ApplicationEvent;

/** Published once when the drain is over and the gRPC servers have stopped. */
public class GrpcDrainCompletedEvent extends ApplicationEvent {

    private final DrainOutcome outcome;

    private final Duration duration;

    private final long completedCalls;

    private final long failedCalls;

    private final long releasedCalls;

    private final long endedCalls;

    private final DrainDelay delay;

    public GrpcDrainCompletedEvent(Object source, DrainOutcome outcome, Duration duration, long completedCalls,
            long failedCalls, long releasedCalls, long endedCalls) {
        this(source, outcome, duration, completedCalls, failedCalls, releasedCalls, endedCalls, null);
    }

    public GrpcDrainCompletedEvent(Object source, DrainOutcome outcome, Duration duration, long completedCalls,
            long failedCalls, long releasedCalls, long endedCalls, DrainDelay delay) {
        super(source);
        this.outcome = outcome;
        this.duration = duration;
        this.completedCalls = completedCalls;
        this.failedCalls = failedCalls;
        this.releasedCalls = releasedCalls;
        this.endedCalls = endedCalls;
        this.delay = delay;
    }

    public DrainOutcome getOutcome() {
        return outcome;
    }

    /** From the start of the drain (including the drain-delay) to its end. */
    public Duration getDuration() {
        return duration;
    }

    /**
     * Calls that finished on their own during the drain, including streams that completed
     * on the drain signal.
     */
    public long getCompletedCalls() {
        return completedCalls;
    }

    /**
     * Of the completed calls, those whose clients did not get OK: closed with an error
     * status (by the handler or an interceptor, such as one that rejects unauthenticated
     * calls), ended by gRPC with UNKNOWN as the handler threw, or cancelled by the client
     * or the transport.
     */
    public long getFailedCalls() {
        return failedCalls;
    }

    /**
     * Long-lived streams released with a retryable UNAVAILABLE when the listeners closed.
     */
    public long getReleasedCalls() {
        return releasedCalls;
    }

    /** Calls ended with UNAVAILABLE because the grace period ran out. */
    public long getEndedCalls() {
        return endedCalls;
    }

    /**
     * How the drain-delay ended (at its full length, on evidence, or at its maximum), or
     * {@code null} if the drain was interrupted during it.
     */
    public DrainDelay getDelay() {
        return delay;
    }

}
