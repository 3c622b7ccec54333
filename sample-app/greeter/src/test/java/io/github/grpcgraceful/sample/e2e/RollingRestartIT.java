package io.github.grpcgraceful.sample.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The promise behind a real load balancer: a rolling restart of three replicas behind
 * HAProxy, under steady load, loses no call when the starter gives HAProxy a drain-delay
 * of at least its check interval. The baselines (no drain-delay; the starter turned off)
 * run with {@code -Drolling.baselines=true} and report their counts as figures.
 */
@Isolated
class RollingRestartIT {

    @BeforeEach
    void requireHaproxy() {
        assumeTrue(Haproxy.installed(), "haproxy is not installed, so the rolling restart is skipped: install it with "
                + "'apt-get install haproxy' (.ci/run does)");
    }

    @Test
    void aRollingRestartBehindHaproxyLosesNoCall() throws Exception {
        RollingRestart.Result result = RollingRestart.run("starter",
                "--grpc.shutdown.drain-delay=" + Haproxy.CHECK_INTERVAL.multipliedBy(4).toMillis() + "ms");

        assertThat(result.succeeded()).as("calls served during the restart").isGreaterThan(200);
        assertThat(result.failed()).as(result.toString()).isZero();
    }

    @Test
    @EnabledIfSystemProperty(named = "rolling.baselines", matches = "true")
    void baselinesWithoutDrainDelayAndWithoutTheStarter() throws Exception {
        RollingRestart.run("no-drain-delay", "--grpc.shutdown.drain-delay=0s");
        RollingRestart.run("starter-off", "--grpc.shutdown.enabled=false");
    }

}
