package io.github.grpcgraceful.internal.endpoint;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * The {@code grpcshutdown} endpoint, when Actuator is present. Shared by every backend;
 * each backend's auto-configuration says that it comes before this one.
 */
@AutoConfiguration
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(GrpcServerDrainer.class)
public class GrpcShutdownEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    GrpcShutdownEndpoint grpcShutdownEndpoint(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        return new GrpcShutdownEndpoint(drainer, tracker);
    }

}
