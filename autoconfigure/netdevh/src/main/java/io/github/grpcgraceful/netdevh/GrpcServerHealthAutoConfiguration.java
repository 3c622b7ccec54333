package io.github.grpcgraceful.netdevh;

import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;

/** The {@code grpcServer} health indicator, through Spring Boot 3's Actuator health API. */
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
