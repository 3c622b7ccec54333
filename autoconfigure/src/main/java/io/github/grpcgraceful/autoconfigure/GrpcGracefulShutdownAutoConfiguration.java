package io.github.grpcgraceful.autoconfigure;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.grpcgraceful.drain.DrainPolicy;
import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.health.ReadinessOnDrain;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.github.grpcgraceful.netdevh.NetDevhGracePeriodHandover;
import io.github.grpcgraceful.netdevh.NetDevhServerRegistrar;
import io.grpc.protobuf.services.HealthStatusManager;
import net.devh.boot.grpc.server.autoconfigure.GrpcHealthServiceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.serverfactory.GrpcServerConfigurer;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/** Tracks in-flight calls on net.devh's gRPC servers and drains them gracefully when the context closes. */
@AutoConfiguration(after = {GrpcServerFactoryAutoConfiguration.class, GrpcHealthServiceAutoConfiguration.class})
@ConditionalOnClass(GrpcServerLifecycle.class)
@ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(GrpcShutdownProperties.class)
public class GrpcGracefulShutdownAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DrainPolicy grpcDrainPolicy(GrpcShutdownProperties properties) {
        return properties.toPolicy();
    }

    @Bean
    @ConditionalOnMissingBean
    InFlightCallTracker inFlightCallTracker(DrainPolicy policy) {
        return new InFlightCallTracker(policy.longLivedMethods());
    }

    /** net.devh's own stop then waits for the drain, which alone decides when calls are cut. */
    @Bean
    static NetDevhGracePeriodHandover netDevhGracePeriodHandover() {
        return new NetDevhGracePeriodHandover();
    }

    /** Ordered last, so its interceptor is added last and therefore runs first, around every other one. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    GrpcServerConfigurer inFlightCallTrackingConfigurer(InFlightCallTracker tracker) {
        return builder -> builder.intercept(tracker);
    }

    /**
     * The server lifecycles are injected only to make this bean depend on them: Spring then stops the drainer before
     * them, within their phase, and net.devh's own stop finds the servers already terminated.
     */
    @Bean
    @ConditionalOnBean(GrpcServerLifecycle.class)
    GrpcServerDrainer grpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy,
            ApplicationEventPublisher events, List<GrpcServerLifecycle> serverLifecycles) {
        return new GrpcServerDrainer(tracker, policy, events);
    }

    @Bean
    @ConditionalOnBean(GrpcServerDrainer.class)
    NetDevhServerRegistrar netDevhServerRegistrar(GrpcServerDrainer drainer) {
        return new NetDevhServerRegistrar(drainer);
    }

    @Bean
    ReadinessOnDrain readinessOnDrain(ApplicationEventPublisher events) {
        return new ReadinessOnDrain(events);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthStatusManager.class)
    @ConditionalOnBean(HealthStatusManager.class)
    static class GrpcHealthConfiguration {

        @Bean
        GrpcHealthOnDrain grpcHealthOnDrain(HealthStatusManager healthStatusManager) {
            return new GrpcHealthOnDrain(healthStatusManager);
        }
    }
}
