package io.github.grpcgraceful.boot4;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.grpc.server.service.GrpcServiceDiscoverer;

import io.github.grpcgraceful.internal.backend.GracePeriodHandover;
import io.github.grpcgraceful.internal.backend.ServerRegistrar;
import io.github.grpcgraceful.internal.config.GracefulShutdownConfiguration;
import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.engine.ContainerExchanges;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpointAutoConfiguration;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetricsAutoConfiguration;
import io.grpc.ServerBuilder;

/**
 * Tracks in-flight calls on Spring Boot 4's own gRPC servers and drains them gracefully
 * when the context closes.
 */
@AutoConfiguration(
        afterName = { "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration",
                "org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration" },
        before = { GrpcShutdownMetricsAutoConfiguration.class, GrpcShutdownEndpointAutoConfiguration.class })
@ConditionalOnClass(GrpcServerLifecycle.class)
@ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "enabled", matchIfMissing = true)
@Import(GracefulShutdownConfiguration.class)
public class GrpcGracefulShutdownAutoConfiguration {

    /**
     * grpc-servlet-jakarta's builder, which Spring Boot uses for gRPC served by the
     * servlet container.
     */
    private static final String SERVLET_SERVER_BUILDER = "io.grpc.servlet.jakarta.ServletServerBuilder";

    /**
     * The lifecycle's own stop then waits for the drain, which alone decides when calls
     * are cut.
     */
    @Bean
    @ConditionalOnMissingBean
    static GracePeriodHandover<GrpcServerProperties> grpcShutdownGracePeriodHandover() {
        // Spring Boot 4.1's name, and Spring gRPC 1.0's (on Spring Boot 4.0), for the
        // same properties class.
        return new GracePeriodHandover<>(GrpcServerProperties.class, "spring.grpc.server", "shutdown.grace-period",
                "shutdown-grace-period");
    }

    /**
     * A server-wide interceptor, so it also sees health and reflection calls; applied
     * last, so it runs first, around every other one. Not at all with
     * {@code grpc.shutdown.enabled=false} at run time, where Spring AOT fixed the
     * conditions at build time.
     */
    @Bean
    @ConditionalOnMissingBean(name = "grpcShutdownTrackerCustomizer")
    @Order(Ordered.LOWEST_PRECEDENCE)
    <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> grpcShutdownTrackerCustomizer(InFlightCallTracker tracker,
            GrpcShutdownProperties properties) {
        return builder -> {
            if (properties.isEnabled()) {
                builder.intercept(tracker);
                if (builder.getClass().getName().equals(SERVLET_SERVER_BUILDER)) {
                    // Outside the tracker, so that the drain's statuses reach clients
                    // through Tomcat too.
                    builder.intercept(new HeadersBeforeStatus());
                }
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
     * gRPC served by the servlet container ({@code grpc-servlet-jakarta}, on the HTTP
     * port): no gRPC server of its own to close, so the drain refuses new calls itself
     * while the container keeps serving Actuator, and the container's graceful shutdown
     * comes after the drain.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(type = "org.springframework.boot.grpc.server.GrpcServletRegistration")
    GrpcServerDrainer grpcShutdownServletDrainer(InFlightCallTracker tracker, ObjectProvider<DrainPolicy> policy,
            ObjectProvider<DrainParticipant> participants, DrainClock clock, ApplicationEventPublisher events,
            GrpcShutdownProperties properties, GrpcServiceDiscoverer serviceDiscoverer, ContainerExchanges exchanges) {
        // The services Spring Boot registers with the servlet, for the meters' series and
        // each service's gRPC health.
        return GrpcServerDrainer.forServletContainer(tracker, GracefulShutdownConfiguration.policy(policy, properties),
                events, properties.isEnabled(),
                () -> serviceDiscoverer.findServices().stream().map(spec -> spec.service().bindService()).toList(),
                exchanges, participants.orderedStream().toList(), clock);
    }

    /**
     * The gRPC exchanges the servlet container has not finished writing: the drain of the
     * servlet container ends only when none is left. Told by Tomcat (below); with another
     * container, none is ever counted.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(type = "org.springframework.boot.grpc.server.GrpcServletRegistration")
    ContainerExchanges grpcShutdownContainerExchanges() {
        return new ContainerExchanges();
    }

    /**
     * On Tomcat, a valve tells the drain when each gRPC exchange starts and when Tomcat
     * has written its response to the end; and a hint about Tomcat's overhead protection.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.TomcatContextCustomizer")
    @ConditionalOnBean(type = "org.springframework.boot.grpc.server.GrpcServletRegistration")
    static class TomcatExchangesConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "grpcShutdownTomcatExchanges")
        TomcatContextCustomizer grpcShutdownTomcatExchanges(ContainerExchanges exchanges) {
            return (context) -> context.getPipeline().addValve(new TomcatExchangeValve(exchanges));
        }

        /**
         * Says at startup if Tomcat's HTTP/2 overhead protection would close the
         * connections of clients that send small messages.
         */
        @Bean
        @ConditionalOnMissingBean(name = "grpcShutdownTomcatSmallFramesHint")
        ApplicationListener<WebServerInitializedEvent> grpcShutdownTomcatSmallFramesHint() {
            return new TomcatSmallFramesHint();
        }

    }

    /**
     * Every server Spring Boot starts is drained, and its lifecycle's own stop runs
     * within the drain.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(GrpcServerDrainer.class)
    ServerRegistrar<GrpcServerStartedEvent> grpcShutdownServerRegistrar(GrpcServerDrainer drainer) {
        return new ServerRegistrar<>(drainer, GrpcServerStartedEvent.class, GrpcServerStartedEvent::getServer,
                started -> started.getSource()::stop);
    }

}
