package io.github.grpcgraceful.api;

import java.time.Duration;

/**
 * How the drain-delay ended: at its full length (a fixed delay), on evidence that traffic
 * had moved away, or at its maximum without that evidence.
 *
 * @param end why it ended
 * @param took how long it lasted
 * @param probersSeen the health probers seen shortly before the drain
 * @param lastAnsweredProber the prober answered out of service last, or {@code null} if
 * none was
 * @param lastAnsweredAfter when that was, from the start of the drain, or {@code null}
 * @param lastCallAfter when the last new call arrived, from the start of the drain, or
 * {@code null} if none arrived during the delay (health checks and long-lived streams
 * aside)
 */
public record DrainDelay(End end, Duration took, int probersSeen, String lastAnsweredProber, Duration lastAnsweredAfter,
        Duration lastCallAfter) {

    /** Why the drain-delay ended. */
    public enum End {

        /**
         * A fixed delay ({@code grpc.shutdown.quiet-period} not set), at its full length.
         */
        FIXED,

        /**
         * Every prober seen had been answered out of service, and no new call had arrived
         * for the quiet period.
         */
        EVIDENCE,

        /** At {@code grpc.shutdown.drain-delay}, its maximum, without that evidence. */
        MAXIMUM

    }

    /** A fixed delay that ran its full length. */
    public static DrainDelay fixed(Duration took) {
        return new DrainDelay(End.FIXED, took, 0, null, null, null);
    }

}
