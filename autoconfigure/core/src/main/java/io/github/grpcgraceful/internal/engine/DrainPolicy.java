package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.Objects;

import io.github.grpcgraceful.internal.inflight.MethodPatterns;

/**
 * How a drain goes, as one immutable value: how long the server keeps serving after
 * health went out of service, how long calls in flight may then run on, and which
 * methods' calls are long-lived streams, released as soon as the listeners close instead
 * of waited for. With a quiet period, the drain-delay is a maximum: it ends as soon as
 * the evidence says traffic has moved away. Durations longer than
 * {@link Durations#FOREVER} are cut to it: they mean "wait practically forever" and never
 * overflow.
 *
 * @param drainDelay time between the start of the drain and the closing of the listeners
 * (the longest, with a quiet period)
 * @param gracePeriod how long calls in flight may run on after the listeners closed
 * @param longLivedMethods methods whose calls are released when the listeners close
 * @param quietPeriod {@code null} for a fixed drain-delay; otherwise the drain-delay ends
 * once every health prober seen shortly before the drain has been answered out of service
 * and no new call has arrived for this long
 */
public record DrainPolicy(Duration drainDelay, Duration gracePeriod, MethodPatterns longLivedMethods,
        Duration quietPeriod) {

    public DrainPolicy {
        drainDelay = Durations.saturated(requireNonNegative("drainDelay", drainDelay));
        gracePeriod = Durations.saturated(requireNonNegative("gracePeriod", gracePeriod));
        Objects.requireNonNull(longLivedMethods, "longLivedMethods");
        if (quietPeriod != null) {
            quietPeriod = Durations.saturated(requireNonNegative("quietPeriod", quietPeriod));
        }
    }

    /** A policy with a fixed drain-delay. */
    public DrainPolicy(Duration drainDelay, Duration gracePeriod, MethodPatterns longLivedMethods) {
        this(drainDelay, gracePeriod, longLivedMethods, null);
    }

    /** Whether the drain-delay ends on evidence rather than at its full length. */
    public boolean delayEndsOnEvidence() {
        return quietPeriod != null;
    }

    private static Duration requireNonNegative(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, but was " + duration);
        }
        return duration;
    }

}
