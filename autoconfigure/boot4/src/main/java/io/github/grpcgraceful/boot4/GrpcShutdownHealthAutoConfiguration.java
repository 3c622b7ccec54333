package io.github.grpcgraceful.boot4;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.health.GrpcServerHealth;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * The {@code grpcServer} health indicator ({@link GrpcServerHealth}), through Spring Boot
 * 4's health API. Its bean name is the health component's name, so it is the one bean of
 * the starter without the {@code grpcShutdown} prefix.
 */
@AutoConfiguration(after = GrpcGracefulShutdownAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(GrpcServerDrainer.class)
public class GrpcShutdownHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "grpcServerHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("grpcserver")
    HealthIndicator grpcServerHealthIndicator(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        return () -> {
            GrpcServerHealth health = GrpcServerHealth.of(drainer, tracker);
            return (health.serving() ? Health.up() : Health.outOfService()).withDetails(health.details()).build();
        };
    }

}
