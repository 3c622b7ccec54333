package io.github.grpcgraceful.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.util.ClassUtils;

import io.github.grpcgraceful.internal.backend.NoDrainableServer;
import io.github.grpcgraceful.internal.config.GrpcShutdownPropertiesFailureAnalyzer;
import io.github.grpcgraceful.testing.StarterBeans;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpoint;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpointAutoConfiguration;
import io.github.grpcgraceful.internal.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.internal.health.ReadinessOnDrain;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetrics;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetricsAutoConfiguration;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The Boot 4 wiring, with Boot's own gRPC server on a free loopback port. */
@ExtendWith(OutputCaptureExtension.class)
class Boot4AutoConfigurationTest {

    /**
     * The gRPC server's auto-configurations in Spring Boot 4.1 and in Spring gRPC 1.0 (on
     * Boot 4.0): those present.
     */
    private static final String[] GRPC_SERVER = {
            "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration",
            "org.springframework.boot.grpc.server.autoconfigure.GrpcServerServicesAutoConfiguration",
            "org.springframework.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration",
            "org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration" };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(present(GRPC_SERVER)))
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
                GrpcGracefulShutdownAutoConfiguration.class, GrpcShutdownHealthAutoConfiguration.class,
                GrpcShutdownMetricsAutoConfiguration.class, GrpcShutdownEndpointAutoConfiguration.class))
        .withBean(SlowService.class)
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues(Boot4GrpcApp.LOOPBACK_ON_A_FREE_PORT)
        .withPropertyValues("management.endpoints.web.exposure.include=grpcshutdown");

    @Test
    void drainsBootsOwnServerWithEverythingObservable() {
        GrpcServerDrainer[] drainer = new GrpcServerDrainer[1];
        runner.run(context -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(GrpcServerDrainer.class)
                .hasSingleBean(InFlightCallTracker.class)
                .hasSingleBean(ReadinessOnDrain.class)
                .hasSingleBean(GrpcHealthOnDrain.class)
                .hasSingleBean(GrpcShutdownMetrics.class)
                .hasSingleBean(GrpcShutdownEndpoint.class)
                .hasBean("grpcServerHealthIndicator")
                .hasBean("grpcShutdownEndpoint")
                .hasBean("grpcShutdownMetrics")
                .hasBean("grpcShutdownGrpcHealth");
            assertThat(context.getBeansOfType(ServerBuilderCustomizer.class)).isNotEmpty();
            drainer[0] = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer[0].servers()).hasSize(1);
            String[] lifecycles = context.getBeanNamesForType(GrpcServerLifecycle.class);
            assertThat(context.getBeanFactory().getDependentBeans(lifecycles[0])).contains("grpcShutdownDrainer");
        });
        assertThat(drainer[0].status().state()).isEqualTo(DrainState.TERMINATED);
    }

    @Test
    void everyBeanIsNamedWithOnePrefixAndReplaceable() {
        runner
            .run(context -> assertThat(StarterBeans.assertNamedAndReplaceable(context)).contains("grpcShutdownDrainer",
                    "grpcShutdownCallTracker", "grpcShutdownGracePeriodHandover", "grpcShutdownTrackerCustomizer",
                    "grpcShutdownServerRegistrar", "grpcServerHealthIndicator"));
    }

    @Test
    void bootsOwnGracePeriodBecomesTheDrainsAndAMarginNeverForever() {
        runner
            .withPropertyValues("grpc.shutdown.grace-period=2s", "spring.grpc.server.shutdown.grace-period=-1",
                    "spring.grpc.server.shutdown-grace-period=-1")
            .run(context -> assertThat(gracePeriod(context.getBean(GrpcServerProperties.class)))
                .isEqualTo(Duration.ofSeconds(5)));
    }

    /**
     * The backend's grace period: {@code shutdown.gracePeriod} in Spring Boot 4.1,
     * {@code shutdownGracePeriod} in Spring gRPC 1.0.
     */
    private static Object gracePeriod(GrpcServerProperties properties) {
        BeanWrapper bean = new BeanWrapperImpl(properties);
        return bean.getPropertyValue(
                bean.isReadableProperty("shutdown.gracePeriod") ? "shutdown.gracePeriod" : "shutdownGracePeriod");
    }

    private static Class<?>[] present(String... classNames) {
        return Arrays.stream(classNames)
            .filter(name -> ClassUtils.isPresent(name, null))
            .map(name -> ClassUtils.resolveClassName(name, null))
            .toArray(Class<?>[]::new);
    }

    @Test
    void withoutActuatorTheDrainStillWorks() {
        assumeTrue(Boot4GrpcApp.BOOT_4_1, "Spring gRPC 1.0's own health auto-configuration needs Actuator");
        assertDrainsWithout(
                new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"),
                "grpcServerHealthIndicator", "grpcShutdownEndpoint");
    }

    @Test
    void withoutMicrometerTheDrainStillWorks() {
        assertDrainsWithout(new FilteredClassLoader(MeterRegistry.class), "grpcShutdownMetrics");
    }

    @Test
    void withoutTheGrpcHealthServiceTheDrainStillWorks() {
        assertDrainsWithout(new FilteredClassLoader(HealthStatusManager.class), "grpcShutdownGrpcHealth");
    }

    private void assertDrainsWithout(FilteredClassLoader missing, String... absentBeans) {
        GrpcServerDrainer[] drainer = new GrpcServerDrainer[1];
        runner.withClassLoader(missing).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GrpcServerDrainer.class);
            for (String absent : absentBeans) {
                assertThat(context).doesNotHaveBean(absent);
            }
            drainer[0] = context.getBean(GrpcServerDrainer.class);
        });
        assertThat(drainer[0].status().state()).isEqualTo(DrainState.TERMINATED);
    }

    @Test
    void backsOffWhenDisabled() {
        runner.withPropertyValues("grpc.shutdown.enabled=false")
            .run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(GrpcServerDrainer.class)
                .doesNotHaveBean(InFlightCallTracker.class)
                .hasSingleBean(GrpcServerLifecycle.class));
    }

    @Test
    void backsOffWithoutBootsGrpcServer() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GrpcGracefulShutdownAutoConfiguration.class,
                    GrpcShutdownNoServerAutoConfiguration.class, GrpcShutdownMetricsAutoConfiguration.class,
                    GrpcShutdownEndpointAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader(GrpcServerLifecycle.class))
            .run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(GrpcServerDrainer.class)
                .doesNotHaveBean(InFlightCallTracker.class)
                .getBean(NoDrainableServer.class)
                .extracting(NoDrainableServer::reason)
                .asString()
                .contains("is not on the class path"));
    }

    @Test
    void saysWhyItDrainsNothingWhenThereIsNoServer(CapturedOutput output) {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GrpcGracefulShutdownAutoConfiguration.class,
                    GrpcShutdownNoServerAutoConfiguration.class))
            .run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(GrpcServerDrainer.class)
                .hasSingleBean(NoDrainableServer.class));
        assertThat(output).containsOnlyOnce(
                "No gRPC server to drain, so grpc.shutdown.* has no effect here: " + "Spring gRPC starts no");
    }

    @Test
    void saysNothingWhenItDrains(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(GrpcShutdownNoServerAutoConfiguration.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(NoDrainableServer.class));
        assertThat(output).doesNotContain("No gRPC server to drain");
    }

    @Test
    void anInvalidSettingFailsStartupWithTheSameExplanation() {
        FailureAnalysis[] analysis = new FailureAnalysis[1];
        runner.withPropertyValues("grpc.shutdown.grace-period=-5s").run(context -> {
            assertThat(context).hasFailed();
            analysis[0] = new GrpcShutdownPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
        });
        assertThat(analysis[0].getDescription())
            .isEqualTo("Invalid value '-5s' for property 'grpc.shutdown.grace-period': it must not be negative.");
    }

}
