package io.github.grpcgraceful.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.github.grpcgraceful.metrics.GrpcShutdownMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** In-flight and drain metrics, when Micrometer and a {@link MeterRegistry} are present. */
@AutoConfiguration(after = GrpcGracefulShutdownAutoConfiguration.class,
        afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({GrpcServerDrainer.class, MeterRegistry.class})
public class GrpcShutdownMetricsAutoConfiguration {

    @Bean
    GrpcShutdownMetrics grpcShutdownMetrics(MeterRegistry registry, InFlightCallTracker tracker,
            GrpcServerDrainer drainer) {
        return new GrpcShutdownMetrics(registry, tracker, drainer);
    }
}
