package io.github.grpcgraceful.internal.config;

import java.util.function.Predicate;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.internal.health.ReadinessOnDrain;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.jfr.FlightRecorderParticipant;
import io.github.grpcgraceful.internal.observation.EndedByDrainObservationFilter;
import io.github.grpcgraceful.internal.observation.ObservationParticipant;
import io.github.grpcgraceful.internal.probe.HealthProbeFilter;
import io.github.grpcgraceful.internal.signal.DrainBeforeShutdownHooks;
import io.github.grpcgraceful.internal.signal.SecondSignalForcesDrain;
import io.github.grpcgraceful.observation.GrpcDrainObservationConvention;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.observation.ObservationRegistry;

/**
 * The beans every backend shares: the tracker, readiness and gRPC health turned at the
 * start of a drain (and back when the context starts again), and where the drain's policy
 * comes from: {@code grpc.shutdown.*}, read when each drain starts (so that a refresh
 * applies to the next drain), or a {@code DrainPolicy} bean of the application's own,
 * which fixes it. Each backend's auto-configuration imports this and adds its own glue:
 * how the tracker is installed, how servers are found, how their lifecycles are ordered.
 * Every bean's name starts with {@code grpcShutdown}, and a user's bean of the same type
 * replaces it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrpcShutdownProperties.class)
@ImportRuntimeHints(GrpcShutdownRuntimeHints.class)
public class GracefulShutdownConfiguration {

    /**
     * The drain's policy: the application's own {@code DrainPolicy} bean if it has one,
     * else the properties as they are when it is asked (each drain asks when it starts).
     */
    public static Supplier<DrainPolicy> policy(ObjectProvider<DrainPolicy> ownPolicy,
            GrpcShutdownProperties properties) {
        DrainPolicy own = ownPolicy.getIfAvailable();
        return own != null ? () -> own : properties::toPolicy;
    }

    /**
     * Where the drain reads time and waits for it: the system's, or a test's manual clock
     * ({@code grpc-graceful-shutdown-test}).
     */
    @Bean
    @ConditionalOnMissingBean
    DrainClock grpcShutdownClock() {
        return DrainClock.system();
    }

    @Bean
    @ConditionalOnMissingBean
    InFlightCallTracker grpcShutdownCallTracker() {
        // The drain tells it which methods are long-lived, from the policy in force when
        // it starts.
        return new InFlightCallTracker();
    }

    /** The first participant of the drain: readiness turns before anything else. */
    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    ReadinessOnDrain grpcShutdownReadiness(ApplicationEventPublisher events,
            ObjectProvider<ApplicationAvailability> availability) {
        return new ReadinessOnDrain(events, availability.getIfAvailable());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
    static class RefreshConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ShutdownPropertiesRefreshListener grpcShutdownRefreshListener(ObjectProvider<DrainPolicy> ownPolicy,
                GrpcShutdownProperties properties) {
            return new ShutdownPropertiesRefreshListener(ownPolicy.getIfAvailable() != null, properties.isEnabled());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthStatusManager.class)
    @ConditionalOnBean(HealthStatusManager.class)
    static class GrpcHealthConfiguration {

        /** The second participant of the drain, after readiness. */
        @Bean
        @ConditionalOnMissingBean
        @Order(Ordered.HIGHEST_PRECEDENCE + 1)
        GrpcHealthOnDrain grpcShutdownGrpcHealth(HealthStatusManager healthStatusManager) {
            return new GrpcHealthOnDrain(healthStatusManager);
        }

    }

    /**
     * The drain in JDK Flight Recorder (the drain, its steps, the calls it ended), when a
     * recording takes its events: told after the meters.
     */
    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE + 3)
    FlightRecorderParticipant grpcShutdownFlightRecorder() {
        return new FlightRecorderParticipant();
    }

    /**
     * The drain as a Micrometer observation ({@code grpc.server.drain}): a span with its
     * steps as events where the application traces, a timer where it meters. Observed
     * through the application's {@code ObservationRegistry}, named by its
     * {@code GrpcDrainObservationConvention} if it has one.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @Order(Ordered.HIGHEST_PRECEDENCE + 5)
        ObservationParticipant grpcShutdownObservation(ObjectProvider<ObservationRegistry> registry,
                ObjectProvider<GrpcDrainObservationConvention> convention) {
            return new ObservationParticipant(registry.getIfAvailable(() -> ObservationRegistry.NOOP),
                    convention.getIfAvailable());
        }

        /**
         * A traced call the drain ended says so in its own span
         * ({@code grpc.drain.ended}); Spring Boot applies every {@code ObservationFilter}
         * bean to its registry.
         */
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.grpc.GrpcServerObservationContext")
        EndedByDrainObservationFilter grpcShutdownEndedByDrainObservationFilter() {
            return new EndedByDrainObservationFilter();
        }

    }

    /**
     * Where the JDK lets an application handle signals: a second SIGTERM or SIGINT while
     * the JVM shuts down forces the drain ({@code grpc.shutdown.force-on-second-signal},
     * read when each drain starts), and, when asked, the first drains before the JVM's
     * shutdown hooks run.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "sun.misc.Signal")
    static class SecondSignalConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @Order(Ordered.HIGHEST_PRECEDENCE + 4)
        SecondSignalForcesDrain grpcShutdownSecondSignal(ObjectProvider<GrpcServerDrainer> drainer,
                GrpcShutdownProperties properties) {
            return new SecondSignalForcesDrain(forcing(drainer), properties::isForceOnSecondSignal);
        }

        /**
         * With {@code grpc.shutdown.drain-before-shutdown-hooks} (read at startup), a
         * SIGTERM or SIGINT drains before the JVM's shutdown hooks run; its handlers are
         * gone when the context closes.
         */
        @Bean
        @ConditionalOnMissingBean
        DrainBeforeShutdownHooks grpcShutdownDrainBeforeShutdownHooks(ObjectProvider<GrpcServerDrainer> drainer,
                GrpcShutdownProperties properties) {
            DrainBeforeShutdownHooks hooks = new DrainBeforeShutdownHooks(() -> {
                GrpcServerDrainer draining = drainer.getIfAvailable();
                if (draining != null) {
                    draining.drainBeforeClose();
                }
            }, forcing(drainer), properties::isForceOnSecondSignal);
            if (properties.isEnabled() && properties.isDrainBeforeShutdownHooks()) {
                hooks.install();
            }
            return hooks;
        }

        /** Forces the drain under way, if there is a drainer; answers whether it did. */
        private static Predicate<String> forcing(ObjectProvider<GrpcServerDrainer> drainer) {
            return (reason) -> {
                GrpcServerDrainer draining = drainer.getIfAvailable();
                return draining != null && draining.force(reason);
            };
        }

    }

    /**
     * With an evidence-based drain-delay, in a servlet web application: the HTTP callers
     * of Actuator's health and readiness are health probers too (on the application's own
     * port; a separate management port's are not seen).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    @ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "quiet-period")
    static class HttpHealthProbers {

        @Bean
        @ConditionalOnMissingBean
        HealthProbeFilter grpcShutdownHealthProbeFilter(InFlightCallTracker tracker, Environment environment) {
            String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
            return new HealthProbeFilter(tracker.probers(), basePath + "/health");
        }

    }

}
