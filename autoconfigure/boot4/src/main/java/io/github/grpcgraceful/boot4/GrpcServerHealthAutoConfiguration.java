package io.github.grpcgraceful.boot4;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;

/** The {@code grpcServer} health indicator, through Spring Boot 4's health API. */
@AutoConfiguration(after = GrpcGracefulShutdownAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(GrpcServerDrainer.class)
public class GrpcServerHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "grpcServerHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("grpcserver")
    GrpcServerHealthIndicator grpcServerHealthIndicator(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        return new GrpcServerHealthIndicator(drainer, tracker);
    }
}
