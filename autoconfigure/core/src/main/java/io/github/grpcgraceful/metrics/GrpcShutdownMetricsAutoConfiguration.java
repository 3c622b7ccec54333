package io.github.grpcgraceful.metrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * In-flight and drain metrics, when Micrometer and a {@link MeterRegistry} are present. Shared by every backend: it
 * comes after each Spring Boot generation's registry auto-configuration and after each backend's drain.
 */
@AutoConfiguration(afterName = {
        "io.github.grpcgraceful.netdevh.GrpcGracefulShutdownAutoConfiguration",
        "io.github.grpcgraceful.boot4.GrpcGracefulShutdownAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({GrpcServerDrainer.class, MeterRegistry.class})
public class GrpcShutdownMetricsAutoConfiguration {

    @Bean
    GrpcShutdownMetrics grpcShutdownMetrics(MeterRegistry registry, InFlightCallTracker tracker,
            GrpcServerDrainer drainer) {
        return new GrpcShutdownMetrics(registry, tracker, drainer);
    }
}
