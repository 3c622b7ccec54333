package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;

/**
 * Takes part in the drain: told when it starts, when the listener has closed, when the
 * deadline ended calls, when it has ended and when the server serves again. Each step
 * runs on a thread of its own, in the participants' order; the drain waits for it at most
 * {@link DrainEngine#PARTICIPANT_WAIT} (the drain-delay, if longer, for the start), and
 * interrupts it if it still runs when the drain is over. What it throws is logged, and
 * the drain goes on. Its {@code toString()} names it in the log.
 */
public interface DrainParticipant {

    /**
     * The drain has started: health should go out of service now.
     * @param start the drain as it starts
     */
    default void drainStarted(DrainStart start) {
    }

    /**
     * The drain-delay is over and the server stopped accepting new calls; long-lived
     * streams were released.
     * @param delay how the drain-delay ended, or {@code null} if it was interrupted
     * @param released the long-lived streams released, oldest first
     */
    default void listenerClosed(DrainDelay delay, List<InFlightCall> released) {
    }

    /**
     * The grace period ran out: what still ran was ended with {@code UNAVAILABLE}.
     * @param ended the calls ended, oldest first
     */
    default void deadlineReached(List<InFlightCall> ended) {
    }

    /**
     * The drain has ended, and the servers have stopped.
     * @param outcome completed, or forced at the deadline
     * @param took from its start to its end
     * @param status the ended drain, with its counts
     */
    default void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
    }

    /**
     * The server serves again after {@code endedDrain} (a lifecycle restart).
     * @param endedDrain the drain that ended before
     */
    default void servingResumed(DrainStatus endedDrain) {
    }

}
