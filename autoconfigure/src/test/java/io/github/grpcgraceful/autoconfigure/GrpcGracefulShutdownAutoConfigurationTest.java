package io.github.grpcgraceful.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.serverfactory.GrpcServerConfigurer;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/** The wiring, with an in-process gRPC server so that nothing binds a port. */
class GrpcGracefulShutdownAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GrpcServerAutoConfiguration.class,
                    GrpcServerFactoryAutoConfiguration.class, GrpcGracefulShutdownAutoConfiguration.class))
            .withPropertyValues("grpc.server.port=-1", "grpc.server.in-process-name=wiring-test");

    @Test
    void drainsWithTheDefaultsWhenNetDevhRunsAServer() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(GrpcServerDrainer.class).hasSingleBean(InFlightCallTracker.class);
            assertThat(context.getBeansOfType(GrpcServerConfigurer.class)).hasSize(1);
            GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer.getGracePeriod()).isEqualTo(Duration.ofSeconds(30));
            assertThat(drainer.getDrainDelay()).isZero();
            assertThat(drainer.isRunning()).isTrue();
        });
    }

    @Test
    void bindsDurationsWithUnitsAndBareNumbersAsSeconds() {
        runner.withPropertyValues("grpc.shutdown.grace-period=1500ms", "grpc.shutdown.drain-delay=5")
                .run(context -> {
                    GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
                    assertThat(drainer.getGracePeriod()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(drainer.getDrainDelay()).isEqualTo(Duration.ofSeconds(5));
                });
    }

    @Test
    void drainerStopsBeforeTheServerLifecyclesItDependsOn() {
        runner.run(context -> {
            String[] lifecycles = context.getBeanNamesForType(GrpcServerLifecycle.class);
            String[] drainer = context.getBeanNamesForType(GrpcServerDrainer.class);
            assertThat(context.getBeanFactory().getDependentBeans(lifecycles[0])).contains(drainer[0]);
        });
    }

    @Test
    void backsOffWhenDisabled() {
        runner.withPropertyValues("grpc.shutdown.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(GrpcServerDrainer.class).doesNotHaveBean(InFlightCallTracker.class);
            assertThat(context).hasSingleBean(GrpcServerLifecycle.class);
        });
    }

    @Test
    void backsOffWithoutNetDevh() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GrpcGracefulShutdownAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(GrpcServerLifecycle.class))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(GrpcServerDrainer.class)
                        .doesNotHaveBean(InFlightCallTracker.class));
    }

    @Test
    void negativeGracePeriodFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.grace-period=-1s");

        assertThat(analysis.getDescription())
                .isEqualTo("Invalid value '-1s' for property 'grpc.shutdown.grace-period': it must not be negative.");
        assertThat(analysis.getAction()).contains("'grpc.shutdown.grace-period'").contains("30s");
    }

    @Test
    void unparsableDrainDelayFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.drain-delay=soon");

        assertThat(analysis.getDescription())
                .isEqualTo("Invalid value 'soon' for property 'grpc.shutdown.drain-delay': it is not a duration.");
        assertThat(analysis.getAction()).contains("'grpc.shutdown.drain-delay'").contains("5s");
    }

    @Test
    void nonBooleanEnabledFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.enabled=maybe");

        assertThat(analysis.getDescription())
                .isEqualTo("Invalid value 'maybe' for property 'grpc.shutdown.enabled': it is not a boolean.");
        assertThat(analysis.getAction()).isEqualTo("Set 'grpc.shutdown.enabled' to true or false.");
    }

    private FailureAnalysis analyzeStartupFailure(String property) {
        FailureAnalysis[] analysis = new FailureAnalysis[1];
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            analysis[0] = new GrpcShutdownPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
        });
        assertThat(analysis[0]).as("analysis of the failure").isNotNull();
        return analysis[0];
    }
}
