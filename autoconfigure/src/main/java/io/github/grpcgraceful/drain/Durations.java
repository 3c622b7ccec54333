package io.github.grpcgraceful.drain;

import java.time.Duration;

/** Durations the way operators write them in configuration: {@code 30s}, {@code 500ms}, {@code 1m30s}. */
public final class Durations {

    private Durations() {
    }

    public static String describe(Duration duration) {
        if (duration.isZero()) {
            return "0s";
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
