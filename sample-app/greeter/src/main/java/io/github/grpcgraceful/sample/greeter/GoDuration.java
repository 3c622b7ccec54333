package io.github.grpcgraceful.sample.greeter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Go's duration syntax ({@code time.ParseDuration}): a sequence of decimal numbers, each
 * with an optional fraction and a unit, such as {@code 300ms}, {@code 1.5s} or
 * {@code 2h45m}, with an optional sign. The Go client of the article sends its durations
 * this way.
 */
public final class GoDuration {

    /**
     * The units Go accepts, in nanoseconds; µ is accepted both as the micro sign and as
     * the Greek letter mu.
     */
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs",
            1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private static final String SYNTAX_HINT = "expected numbers with units ns, us, µs, ms, s, m or h, such as \"300ms\", \"1.5s\" or \"1m30s\"";

    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /**
     * Parses a Go duration.
     * @throws IllegalArgumentException naming the text and the rule it breaks
     */
    public static Duration parse(String text) {
        String rest = text;
        boolean negative = false;
        if (!rest.isEmpty() && (rest.charAt(0) == '-' || rest.charAt(0) == '+')) {
            negative = rest.charAt(0) == '-';
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        if (rest.isEmpty()) {
            throw invalid(text, "it is empty");
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < rest.length()) {
            int numberStart = i;
            while (i < rest.length() && (Character.isDigit(rest.charAt(i)) || rest.charAt(i) == '.')) {
                i++;
            }
            String number = rest.substring(numberStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text, "\"" + rest.substring(numberStart) + "\" does not start with a number");
            }
            int unitStart = i;
            while (i < rest.length() && !Character.isDigit(rest.charAt(i)) && rest.charAt(i) != '.') {
                i++;
            }
            String unit = rest.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw invalid(text, "the number " + number + " has no unit");
            }
            Long nanosPerUnit = NANOS_PER_UNIT.get(unit);
            if (nanosPerUnit == null) {
                throw invalid(text, "unknown unit \"" + unit + "\"");
            }
            total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit)));
        }
        BigInteger nanos = total.toBigInteger();
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw invalid(text, "it is longer than about 292 years");
        }
        return Duration.ofNanos(negative ? -nanos.longValue() : nanos.longValue());
    }

    /**
     * Formats a duration the way Go prints one: {@code 10m0s}, {@code 1.5s},
     * {@code 300ms}.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return trim(BigDecimal.valueOf(duration.toNanos(), 6)) + "ms";
        }
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        String seconds = trim(BigDecimal.valueOf(duration.toSecondsPart() * 1_000_000_000L + duration.toNanosPart(), 9))
                + "s";
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds;
        }
        return minutes > 0 ? minutes + "m" + seconds : seconds;
    }

    private static String trim(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException(
                "duration \"" + text + "\" is not a valid Go duration: " + problem + "; " + SYNTAX_HINT);
    }

}
