package io.github.grpcgraceful.internal.config;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;

import io.github.grpcgraceful.internal.drain.DrainPolicy;
import io.github.grpcgraceful.internal.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.internal.health.ReadinessOnDrain;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * The beans every backend shares: the policy from {@code grpc.shutdown.*}, the tracker, and readiness and gRPC health
 * turned at the start of a drain (and back when the context starts again). Each backend's auto-configuration imports
 * this and adds its own glue: how the tracker is installed, how servers are found, how their lifecycles are ordered.
 * Every bean's name starts with {@code grpcShutdown}, and a user's bean of the same type replaces it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrpcShutdownProperties.class)
@ImportRuntimeHints(GrpcShutdownRuntimeHints.class)
public class GracefulShutdownConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DrainPolicy grpcShutdownDrainPolicy(GrpcShutdownProperties properties) {
        return properties.toPolicy();
    }

    @Bean
    @ConditionalOnMissingBean
    InFlightCallTracker grpcShutdownCallTracker(DrainPolicy policy) {
        return new InFlightCallTracker(policy.longLivedMethods());
    }

    @Bean
    @ConditionalOnMissingBean
    ReadinessOnDrain grpcShutdownReadiness(ApplicationEventPublisher events,
            ObjectProvider<ApplicationAvailability> availability) {
        return new ReadinessOnDrain(events, availability.getIfAvailable());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthStatusManager.class)
    @ConditionalOnBean(HealthStatusManager.class)
    static class GrpcHealthConfiguration {

        @Bean
        @ConditionalOnMissingBean
        GrpcHealthOnDrain grpcShutdownGrpcHealth(HealthStatusManager healthStatusManager) {
            return new GrpcHealthOnDrain(healthStatusManager);
        }
    }
}
