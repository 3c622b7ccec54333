package io.github.grpcgraceful.internal.engine;

import java.time.Duration;

/**
 * Durations the way operators write them in configuration: {@code 30s}, {@code 500ms},
 * {@code 1m30s}.
 */
public final class Durations {

    /**
     * Longer than any shutdown can wait (about 73 years). Longer durations are cut to it,
     * so that adding one to {@link System#nanoTime()} can never overflow.
     */
    public static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE / 4);

    private Durations() {
    }

    /** {@code duration}, or {@link #FOREVER} if it is longer. */
    public static Duration saturated(Duration duration) {
        return duration.compareTo(FOREVER) > 0 ? FOREVER : duration;
    }

    public static String describe(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.compareTo(FOREVER) >= 0) {
            return "forever";
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toHours(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        return text.isEmpty() ? duration.toNanos() + "ns" : text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount > 0) {
            text.append(amount).append(unit);
        }
    }

    /** Seconds with two decimals, for elapsed times in logs: {@code 2.41 s}. */
    public static String seconds(Duration duration) {
        return String.format("%.2f s", duration.toNanos() / 1e9);
    }

}
