package io.github.grpcgraceful.api;

import java.time.Duration;
import java.time.Instant;

/**
 * The drain as seen at one moment.
 *
 * @param state where the server is in its shutdown
 * @param startedAt when the drain started, or {@code null} while serving
 * @param deadline when the grace period runs out, or {@code null} until the listeners
 * close
 * @param finishedAt when the drain ended, or {@code null} until then
 * @param completedCalls calls that finished on their own since the drain started
 * @param failedCalls of those, calls whose clients did not get OK (closed with an error
 * status, or cancelled)
 * @param releasedCalls long-lived streams released when the listeners closed
 * @param endedCalls calls ended with UNAVAILABLE at the deadline
 * @param delay how the drain-delay ended, or {@code null} until it has
 */
public record DrainStatus(DrainState state, Instant startedAt, Instant deadline, Instant finishedAt,
        long completedCalls, long failedCalls, long releasedCalls, long endedCalls, DrainDelay delay) {

    /** Serving, no drain yet. */
    public static final DrainStatus SERVING = new DrainStatus(DrainState.SERVING, null, null, null, 0, 0, 0, 0, null);

    /** This status with the counts so far, while the drain runs. */
    public DrainStatus withCounts(long completed, long failed, long released) {
        return new DrainStatus(state, startedAt, deadline, finishedAt, completed, failed, released, endedCalls, delay);
    }

    /**
     * How long the drain has run (until now, or until it ended), or {@code null} while
     * serving.
     */
    public Duration elapsed() {
        if (startedAt == null) {
            return null;
        }
        return Duration.between(startedAt, finishedAt != null ? finishedAt : Instant.now());
    }
}
