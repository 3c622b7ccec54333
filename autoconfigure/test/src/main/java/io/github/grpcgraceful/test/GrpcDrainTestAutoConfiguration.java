package io.github.grpcgraceful.test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.ConfigurableApplicationContext;
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
