package io.github.grpcgraceful.internal.drain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;

class ShutdownBudgetTest {

    private static DrainPolicy policy(String drainDelay, String gracePeriod) {
        return new DrainPolicy(Duration.parse("PT" + drainDelay), Duration.parse("PT" + gracePeriod),
                MethodPatterns.none());
    }

    @Test
    void aDrainWithinThePhaseTimeoutIsNotReported() {
        assertThat(ShutdownBudget.overrun(policy("5S", "25S"), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void aDrainLongerThanThePhaseTimeoutIsReportedWithBothFiguresAndWhatToDo() {
        assertThat(ShutdownBudget.overrun(policy("5S", "30S"), Duration.ofSeconds(30)))
            .hasValueSatisfying(warning -> assertThat(warning)
                .contains("drain-delay + grpc.shutdown.grace-period (35s) exceed "
                        + "spring.lifecycle.timeout-per-shutdown-phase (30s)")
                .contains("terminationGracePeriodSeconds) at least 35s"));
    }

    @Test
    void thePhaseTimeoutIsReadAsSpringBootBindsItWithItsDefaultOtherwise() {
        assertThat(ShutdownBudget.phaseTimeout(new MockEnvironment())).isEqualTo(ShutdownBudget.DEFAULT_PHASE_TIMEOUT);
        assertThat(ShutdownBudget
            .phaseTimeout(new MockEnvironment().withProperty("spring.lifecycle.timeout-per-shutdown-phase", "1m")))
            .isEqualTo(Duration.ofMinutes(1));
    }

}
