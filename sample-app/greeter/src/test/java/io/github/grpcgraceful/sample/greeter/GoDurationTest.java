package io.github.grpcgraceful.sample.greeter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({ "0, 0", "300ms, 300000000", "1.5s, 1500000000", "10s, 10000000000", "1m30s, 90000000000",
            "2h45m, 9900000000000", ".5s, 500000000", "1.s, 1000000000", "+2s, 2000000000", "-1s, -1000000000",
            "100ns, 100", "7us, 7000", "7µs, 7000", "7μs, 7000", "1h1m1s1ms1us1ns, 3661001001001", })
    void parsesGoDurations(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|',
            value = { "abc   | \"abc\" does not start with a number", "1x    | unknown unit \"x\"",
                    "10    | the number 10 has no unit", "1.2.3s| \"1.2.3s\" does not start with a number",
                    "-     | it is empty", ".s    | \".s\" does not start with a number",
                    "s     | \"s\" does not start with a number", "1s 2s | unknown unit \"s \"",
                    "3000000h | longer than about 292 years", })
    void rejectsMalformedDurationsNamingTheValueAndTheRule(String text, String problem) {
        assertThatIllegalArgumentException().isThrownBy(() -> GoDuration.parse(text))
            .withMessageStartingWith("duration \"" + text + "\" is not a valid Go duration: ")
            .withMessageContaining(problem)
            .withMessageContaining("units ns, us, µs, ms, s, m or h");
    }

    @ParameterizedTest
    @CsvSource({ "0, 0s", "1500, 1.5s", "300, 300ms", "600000, 10m0s", "5400000, 1h30m0s", "90500, 1m30.5s", })
    void formatsLikeGo(long millis, String text) {
        assertThat(GoDuration.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

}
