package io.github.grpcgraceful.test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * What {@link AutoConfigureGrpcDrain} brings: the drain's manual clock (before the
 * starter's own, so that the drain reads it), what the drain reports, and the
 * {@link GrpcDrain} that drives it.
 */
@AutoConfiguration(beforeName = { "io.github.grpcgraceful.netdevh.GrpcGracefulShutdownAutoConfiguration",
        "io.github.grpcgraceful.boot4.GrpcGracefulShutdownAutoConfiguration" })
public class GrpcDrainTestAutoConfiguration {

    @Bean
    @Primary
    ManualDrainClock grpcShutdownTestClock() {
        return new ManualDrainClock();
    }

    /**
     * When the context closes (at the end of the test run, or on
     * {@code @DirtiesContext}), the drain that no test drives then passes its drain-delay
     * and grace period at once: closing a test's context never waits for them.
     */
    @Bean
    ApplicationListener<ContextClosedEvent> grpcShutdownTestClockRunsFreelyOnClose(
            ConfigurableApplicationContext context, ManualDrainClock grpcShutdownTestClock) {
        return (event) -> {
            if (event.getApplicationContext() == context) {
                grpcShutdownTestClock.runFreely();
            }
        };
    }

    @Bean
    DrainRecorder grpcShutdownTestRecorder() {
        return new DrainRecorder();
    }

    @Bean
    GrpcDrain grpcDrain(ConfigurableApplicationContext context, ObjectProvider<GrpcServerDrainer> drainer,
            ManualDrainClock grpcShutdownTestClock, InFlightCallTracker tracker, DrainRecorder grpcShutdownTestRecorder,
            ObjectProvider<ApplicationAvailability> availability) {
        return new GrpcDrain(context, drainer, grpcShutdownTestClock, tracker, grpcShutdownTestRecorder, availability);
    }

}
