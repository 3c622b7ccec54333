package io.github.grpcgraceful.netdevh;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.grpcgraceful.internal.backend.GracePeriodHandover;
import io.github.grpcgraceful.internal.backend.ServerRegistrar;
import io.github.grpcgraceful.internal.config.GracefulShutdownConfiguration;
import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpointAutoConfiguration;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetricsAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcHealthServiceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.config.GrpcServerProperties;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;
import net.devh.boot.grpc.server.serverfactory.GrpcServerConfigurer;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/**
 * Tracks in-flight calls on net.devh's gRPC servers and drains them gracefully when the
 * context closes.
 */
@AutoConfiguration(after = { GrpcServerFactoryAutoConfiguration.class, GrpcHealthServiceAutoConfiguration.class },
        before = { GrpcShutdownMetricsAutoConfiguration.class, GrpcShutdownEndpointAutoConfiguration.class })
@ConditionalOnClass(GrpcServerLifecycle.class)
@ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "enabled", matchIfMissing = true)
@Import(GracefulShutdownConfiguration.class)
public class GrpcGracefulShutdownAutoConfiguration {

    /**
     * net.devh's own stop then waits for the drain, which alone decides when calls are
     * cut.
     */
    @Bean
    @ConditionalOnMissingBean
    static GracePeriodHandover<GrpcServerProperties> grpcShutdownGracePeriodHandover() {
        return new GracePeriodHandover<>(GrpcServerProperties.class, "grpc.server", "shutdown-grace-period");
    }

    /**
     * Ordered last, so its interceptor is added last and therefore runs first, around
     * every other one. Not at all with {@code grpc.shutdown.enabled=false} at run time,
     * where Spring AOT fixed the conditions at build time.
     */
    @Bean
    @ConditionalOnMissingBean(name = "grpcShutdownTrackerConfigurer")
    @Order(Ordered.LOWEST_PRECEDENCE)
    GrpcServerConfigurer grpcShutdownTrackerConfigurer(InFlightCallTracker tracker, GrpcShutdownProperties properties) {
        return builder -> {
            if (properties.isEnabled()) {
                builder.intercept(tracker);
            }
        };
    }

    /**
     * The server lifecycles are injected only to make this bean depend on them: Spring
     * then stops the drainer before them, within their phase; the drainer runs their
     * stops itself when it closes the listeners.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(GrpcServerLifecycle.class)
    GrpcServerDrainer grpcShutdownDrainer(InFlightCallTracker tracker, ObjectProvider<DrainPolicy> policy,
            ObjectProvider<DrainParticipant> participants, DrainClock clock, ApplicationEventPublisher events,
            GrpcShutdownProperties properties, List<GrpcServerLifecycle> serverLifecycles) {
        return GrpcServerDrainer.forServers(tracker, GracefulShutdownConfiguration.policy(policy, properties), events,
                properties.isEnabled(), participants.orderedStream().toList(), clock);
    }

    /**
     * Every server net.devh starts is drained, and its lifecycle's own stop runs within
     * the drain.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(GrpcServerDrainer.class)
    ServerRegistrar<GrpcServerStartedEvent> grpcShutdownServerRegistrar(GrpcServerDrainer drainer) {
        return new ServerRegistrar<>(drainer, GrpcServerStartedEvent.class, GrpcServerStartedEvent::getServer,
                started -> started.getSource()::stop);
    }

}
