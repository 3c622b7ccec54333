package io.github.grpcgraceful.sample.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The promise behind a real load balancer: a rolling restart of replicas behind HAProxy,
 * under steady load, loses no call with a drain-delay that ends on evidence (a 10 s
 * maximum, a 500 ms quiet period), and each replica's delay ends within about two of
 * HAProxy's check intervals and the quiet period instead of 10 s. The baselines (the same
 * 10 s delay fixed; no drain-delay; the starter turned off) run with
 * {@code -Drolling.baselines=true} and report their counts and rollout times as figures.
 */
@Isolated
class RollingRestartIT {

    /** The evidence-based delay's maximum. */
    private static final Duration MAXIMUM = Duration.ofSeconds(10);

    private static final Duration QUIET = Duration.ofMillis(500);

    @BeforeEach
    void requireHaproxy() {
        assumeTrue(Haproxy.installed(), "haproxy is not installed, so the rolling restart is skipped: install it with "
                + "'apt-get install haproxy' (.ci/run does)");
    }

    @Test
    void aRollingRestartBehindHaproxyLosesNoCallAndEachDrainDelayEndsOnEvidence() throws Exception {
        RollingRestart.Result result = RollingRestart.run("evidence",
                "--grpc.shutdown.drain-delay=" + MAXIMUM.toMillis() + "ms",
                "--grpc.shutdown.quiet-period=" + QUIET.toMillis() + "ms");

        assertThat(result.succeeded()).as("calls served during the restart").isGreaterThan(200);
        assertThat(result.failed()).as(result.toString()).isZero();
        // Two check intervals and the quiet period, and a second for a busy machine.
        double bound = (Haproxy.CHECK_INTERVAL.multipliedBy(2).plus(QUIET).toMillis() + 1_000) / 1000.0;
        assertThat(result.delays()).as(result.toString())
            .hasSize(RollingRestart.REPLICAS)
            .allSatisfy((delay) -> assertThat(delay).isNotEqualTo("maximum")
                .satisfies((seconds) -> assertThat(Double.parseDouble(seconds)).isLessThan(bound)));
    }

    @Test
    @EnabledIfSystemProperty(named = "rolling.baselines", matches = "true")
    void baselinesWithAFixedDelayWithoutDrainDelayAndWithoutTheStarter() throws Exception {
        RollingRestart.run("fixed-delay", "--grpc.shutdown.drain-delay=" + MAXIMUM.toMillis() + "ms");
        RollingRestart.run("no-drain-delay", "--grpc.shutdown.drain-delay=0s");
        RollingRestart.run("starter-off", "--grpc.shutdown.enabled=false");
    }

}
