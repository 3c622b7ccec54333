package io.github.grpcgraceful.netdevh;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.grpcgraceful.backend.GracePeriodHandover;
import io.github.grpcgraceful.backend.ServerRegistrar;
import io.github.grpcgraceful.config.GracefulShutdownConfiguration;
import io.github.grpcgraceful.config.GrpcShutdownProperties;
import io.github.grpcgraceful.drain.DrainPolicy;
import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import net.devh.boot.grpc.server.autoconfigure.GrpcHealthServiceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.config.GrpcServerProperties;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;
import net.devh.boot.grpc.server.serverfactory.GrpcServerConfigurer;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/** Tracks in-flight calls on net.devh's gRPC servers and drains them gracefully when the context closes. */
@AutoConfiguration(after = {GrpcServerFactoryAutoConfiguration.class, GrpcHealthServiceAutoConfiguration.class})
@ConditionalOnClass(GrpcServerLifecycle.class)
@ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "enabled", matchIfMissing = true)
@Import(GracefulShutdownConfiguration.class)
public class GrpcGracefulShutdownAutoConfiguration {

    /** net.devh's own stop then waits for the drain, which alone decides when calls are cut. */
    @Bean
    static GracePeriodHandover<GrpcServerProperties> netDevhGracePeriodHandover() {
        return new GracePeriodHandover<>(GrpcServerProperties.class, "grpc.server.shutdown-grace-period",
                GrpcServerProperties::getShutdownGracePeriod, GrpcServerProperties::setShutdownGracePeriod);
    }

    /** Ordered last, so its interceptor is added last and therefore runs first, around every other one. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    GrpcServerConfigurer inFlightCallTrackingConfigurer(InFlightCallTracker tracker) {
        return builder -> builder.intercept(tracker);
    }

    /**
     * The server lifecycles are injected only to make this bean depend on them: Spring then stops the drainer before
     * them, within their phase; the drainer runs their stops itself when it closes the listeners.
     */
    @Bean
    @ConditionalOnBean(GrpcServerLifecycle.class)
    GrpcServerDrainer grpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy,
            ApplicationEventPublisher events, List<GrpcServerLifecycle> serverLifecycles) {
        return new GrpcServerDrainer(tracker, policy, events);
    }

    /** Every server net.devh starts is drained, and its lifecycle's own stop runs within the drain. */
    @Bean
    @ConditionalOnBean(GrpcServerDrainer.class)
    ServerRegistrar<GrpcServerStartedEvent> netDevhServerRegistrar(GrpcServerDrainer drainer) {
        return new ServerRegistrar<>(drainer, GrpcServerStartedEvent.class, GrpcServerStartedEvent::getServer,
                started -> started.getSource()::stop);
    }
}
