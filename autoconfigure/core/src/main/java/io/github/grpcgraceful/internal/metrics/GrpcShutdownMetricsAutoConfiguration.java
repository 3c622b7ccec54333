package io.github.grpcgraceful.internal.metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * In-flight and drain metrics, when Micrometer and a {@link MeterRegistry} are present.
 * Shared by every backend: it comes after each Spring Boot generation's registry
 * auto-configuration; each backend's auto-configuration says that it comes before this
 * one.
 */
@AutoConfiguration(
        afterName = { "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ GrpcServerDrainer.class, MeterRegistry.class })
public class GrpcShutdownMetricsAutoConfiguration {

    /**
     * A participant of the drain, after readiness and gRPC health; the drainer is looked
     * up when the servers have started, as the drainer takes its participants when it is
     * made.
     */
    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE + 2)
    GrpcShutdownMetrics grpcShutdownMetrics(MeterRegistry registry, InFlightCallTracker tracker,
            ObjectProvider<GrpcServerDrainer> drainer) {
        return new GrpcShutdownMetrics(registry, tracker, () -> drainer.getObject().services(), () -> {
            GrpcServerDrainer available = drainer.getIfAvailable();
            return (available == null) ? null : available.policy();
        });
    }

    @Bean
    @ConditionalOnMissingBean
    RegistriesClosedAfterDrain grpcShutdownRegistriesClosedAfterDrain(ObjectProvider<GrpcServerDrainer> drainer) {
        return new RegistriesClosedAfterDrain(drainer);
    }

}
