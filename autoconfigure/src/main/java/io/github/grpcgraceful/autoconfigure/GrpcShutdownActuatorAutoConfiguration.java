package io.github.grpcgraceful.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.endpoint.GrpcShutdownEndpoint;
import io.github.grpcgraceful.health.GrpcServerHealthIndicator;
import io.github.grpcgraceful.inflight.InFlightCallTracker;

/** The {@code grpcServer} health indicator and the {@code grpcshutdown} endpoint, when Actuator is present. */
@AutoConfiguration(after = GrpcGracefulShutdownAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(GrpcServerDrainer.class)
public class GrpcShutdownActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "grpcServerHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("grpcserver")
    GrpcServerHealthIndicator grpcServerHealthIndicator(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        return new GrpcServerHealthIndicator(drainer, tracker);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    GrpcShutdownEndpoint grpcShutdownEndpoint(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        return new GrpcShutdownEndpoint(drainer, tracker);
    }
}
