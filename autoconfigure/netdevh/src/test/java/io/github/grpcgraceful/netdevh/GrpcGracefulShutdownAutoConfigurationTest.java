package io.github.grpcgraceful.netdevh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.grpcgraceful.internal.observation.EndedByDrainObservationFilter;
import io.github.grpcgraceful.internal.observation.ObservationParticipant;
import io.github.grpcgraceful.observation.DefaultGrpcDrainObservationConvention;
import io.github.grpcgraceful.observation.GrpcDrainObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.github.grpcgraceful.internal.backend.GracePeriodHandover;
import io.github.grpcgraceful.internal.backend.NoDrainableServer;
import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.config.GrpcShutdownPropertiesFailureAnalyzer;
import io.github.grpcgraceful.internal.probe.HealthProbeFilter;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpoint;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpointAutoConfiguration;
import io.github.grpcgraceful.internal.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.internal.health.ReadinessOnDrain;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetrics;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetricsAutoConfiguration;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.signal.DrainBeforeShutdownHooks;
import io.github.grpcgraceful.internal.signal.SecondSignalForcesDrain;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.testing.StarterBeans;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.devh.boot.grpc.server.autoconfigure.GrpcHealthServiceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.config.GrpcServerProperties;
import net.devh.boot.grpc.server.serverfactory.GrpcServerConfigurer;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/** The wiring, with an in-process gRPC server so that nothing binds a port. */
@ExtendWith(OutputCaptureExtension.class)
class GrpcGracefulShutdownAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(GrpcServerAutoConfiguration.class,
                GrpcServerFactoryAutoConfiguration.class, GrpcHealthServiceAutoConfiguration.class,
                GrpcGracefulShutdownAutoConfiguration.class, GrpcShutdownHealthAutoConfiguration.class,
                GrpcShutdownEndpointAutoConfiguration.class, GrpcShutdownMetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues("grpc.server.port=-1", "grpc.server.in-process-name=wiring-test",
                "management.endpoints.web.exposure.include=grpcshutdown");

    @Test
    void drainsWithTheDefaultsWhenNetDevhRunsAServer() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(GrpcServerDrainer.class).hasSingleBean(InFlightCallTracker.class);
            assertThat(context.getBeansOfType(GrpcServerConfigurer.class)).hasSize(1);
            GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer.policy().gracePeriod()).isEqualTo(Duration.ofSeconds(30));
            assertThat(drainer.policy().drainDelay()).isZero();
            assertThat(drainer.isRunning()).isTrue();
        });
    }

    @Test
    void bindsDurationsWithUnitsAndBareNumbersAsSeconds() {
        runner.withPropertyValues("grpc.shutdown.grace-period=45", "grpc.shutdown.drain-delay=250ms").run(context -> {
            GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer.policy().gracePeriod()).isEqualTo(Duration.ofSeconds(45));
            assertThat(drainer.policy().drainDelay()).isEqualTo(Duration.ofMillis(250));
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
    void observesDrainsThroughActuatorMicrometerReadinessAndGrpcHealth() {
        runner.run(context -> assertThat(context).hasBean("grpcServerHealthIndicator")
            .hasSingleBean(GrpcShutdownEndpoint.class)
            .hasSingleBean(GrpcShutdownMetrics.class)
            .hasSingleBean(ReadinessOnDrain.class)
            .hasSingleBean(GrpcHealthOnDrain.class));
    }

    @Test
    void everyBeanIsNamedWithOnePrefixAndReplaceable() {
        runner
            .run(context -> assertThat(StarterBeans.assertNamedAndReplaceable(context)).contains("grpcShutdownDrainer",
                    "grpcShutdownCallTracker", "grpcShutdownRefreshListener", "grpcShutdownReadiness",
                    "grpcShutdownGrpcHealth", "grpcShutdownGracePeriodHandover", "grpcShutdownTrackerConfigurer",
                    "grpcShutdownServerRegistrar", "grpcServerHealthIndicator", "grpcShutdownMetrics",
                    "grpcShutdownEndpoint"));
    }

    @Test
    void aUsersTrackerAndPolicyReplaceTheStartersOwn() {
        InFlightCallTracker tracker = new InFlightCallTracker();
        DrainPolicy policy = new DrainPolicy(Duration.ofSeconds(2), Duration.ofSeconds(9), MethodPatterns.none());
        runner.withBean(InFlightCallTracker.class, () -> tracker)
            .withBean(DrainPolicy.class, () -> policy)
            .run(context -> {
                assertThat(context.getBean(InFlightCallTracker.class)).isSameAs(tracker);
                assertThat(context.getBean(GrpcServerDrainer.class).policy()).isSameAs(policy);
            });
    }

    @Test
    void aRefreshOfTheShutdownPropertiesAppliesToTheNextDrainAndTheEndpoint(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(ConfigurationPropertiesRebinderAutoConfiguration.class))
            .withPropertyValues("grpc.shutdown.grace-period=2s")
            .run(context -> {
                GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
                assertThat(drainer.policy().gracePeriod()).isEqualTo(Duration.ofSeconds(2));

                refresh(context, "grpc.shutdown.grace-period=7s", "grpc.shutdown.drain-delay=3s",
                        "grpc.shutdown.long-lived-methods=chat.Chat/*", "grpc.shutdown.enabled=false");

                assertThat(drainer.policy().gracePeriod()).isEqualTo(Duration.ofSeconds(7));
                assertThat(drainer.policy().drainDelay()).isEqualTo(Duration.ofSeconds(3));
                assertThat(drainer.policy().longLivedMethods().patterns()).containsExactly("chat.Chat/*");
                GrpcShutdownEndpoint.Report report = context.getBean(GrpcShutdownEndpoint.class).report();
                assertThat(report.gracePeriod()).isEqualTo("7s");
                assertThat(report.drainDelay()).isEqualTo("3s");
                assertThat(report.longLivedMethods()).containsExactly("chat.Chat/*");
                assertThat(output)
                    .contains("grpc.shutdown.drain-delay, grpc.shutdown.grace-period, "
                            + "grpc.shutdown.long-lived-methods changed: the next drain follows the new value")
                    .contains("grpc.shutdown.enabled changed, but cannot change while the application runs: "
                            + "the graceful drain stays on until the application restarts");

                context.stop();
                assertThat(drainer.status().state()).isEqualTo(DrainState.TERMINATED);
                assertThat(output).contains("gRPC drain started: 0 calls in flight, drain-delay skipped "
                        + "(the context stops, it does not close), grace period 7s");
            });
    }

    @Test
    void aRefreshDoesNotChangeAPolicyBeanOfTheApplicationsOwnAndSaysSo(CapturedOutput output) {
        DrainPolicy policy = new DrainPolicy(Duration.ofSeconds(2), Duration.ofSeconds(9), MethodPatterns.none());
        runner.withConfiguration(AutoConfigurations.of(ConfigurationPropertiesRebinderAutoConfiguration.class))
            .withBean(DrainPolicy.class, () -> policy)
            .run(context -> {
                refresh(context, "grpc.shutdown.grace-period=7s");
                assertThat(context.getBean(GrpcServerDrainer.class).policy()).isSameAs(policy);
                assertThat(output).contains("grpc.shutdown.grace-period changed, but a DrainPolicy bean of the "
                        + "application's own rules the drain: the change does not apply");
            });
    }

    /**
     * What Spring Cloud's refresh does once the environment has changed: the event its
     * rebinder acts on.
     */
    private static void refresh(AssertableApplicationContext assertable, String... properties) {
        ConfigurableApplicationContext context = assertable.getSourceApplicationContext();
        TestPropertyValues values = TestPropertyValues.of(properties);
        values.applyTo(context.getEnvironment(), TestPropertyValues.Type.MAP, "refreshed");
        Set<String> keys = new HashSet<>();
        for (String property : properties) {
            keys.add(property.substring(0, property.indexOf('=')));
        }
        context.publishEvent(new EnvironmentChangeEvent(context, keys));
    }

    @Test
    void netDevhsOwnGracePeriodBecomesTheDrainsAndAMarginNeverForever() {
        runner.withPropertyValues("grpc.shutdown.grace-period=2s", "grpc.server.shutdown-grace-period=-1")
            .run(context -> assertThat(context.getBean(GrpcServerProperties.class).getShutdownGracePeriod())
                .isEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void disabledAtRunTimeLeavesNetDevhsGracePeriodAndDoesNotDrain() {
        // What an AOT-processed application meets: the beans are there, the switch says
        // off.
        GrpcServerDrainer[] drainer = new GrpcServerDrainer[1];
        new ApplicationContextRunner()
            .withInitializer(context -> context.getBeanFactory()
                .registerSingleton("grpcShutdownDrainer",
                        GrpcServerDrainer.forServers(new InFlightCallTracker(), new GrpcShutdownProperties()::toPolicy,
                                context, false, List.of())))
            .withConfiguration(
                    AutoConfigurations.of(GrpcServerAutoConfiguration.class, GrpcServerFactoryAutoConfiguration.class))
            .withBean(GracePeriodHandover.class, GrpcGracefulShutdownAutoConfiguration::grpcShutdownGracePeriodHandover)
            .withPropertyValues("grpc.server.port=-1", "grpc.server.in-process-name=disabled-test",
                    "grpc.server.shutdown-grace-period=4s", "grpc.shutdown.enabled=false")
            .run(context -> {
                assertThat(context.getBean(GrpcServerProperties.class).getShutdownGracePeriod())
                    .isEqualTo(Duration.ofSeconds(4));
                drainer[0] = context.getBean(GrpcServerDrainer.class);
            });
        assertThat(drainer[0].status().state()).isEqualTo(DrainState.SERVING);
    }

    @Test
    void withoutActuatorTheDrainStillWorks() {
        assertDrainsWithout(new FilteredClassLoader("org.springframework.boot.actuate"), HealthIndicator.class,
                GrpcShutdownEndpoint.class);
    }

    @Test
    void withoutMicrometerTheDrainStillWorks() {
        assertDrainsWithout(new FilteredClassLoader(MeterRegistry.class), GrpcShutdownMetrics.class);
    }

    @Test
    void withoutTheGrpcHealthServiceTheDrainStillWorks() {
        assertDrainsWithout(new FilteredClassLoader(HealthStatusManager.class), GrpcHealthOnDrain.class);
    }

    private void assertDrainsWithout(FilteredClassLoader missing, Class<?>... absentBeans) {
        GrpcServerDrainer[] drainer = new GrpcServerDrainer[1];
        runner.withClassLoader(missing).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GrpcServerDrainer.class);
            for (Class<?> absent : absentBeans) {
                assertThat(context).doesNotHaveBean(absent);
            }
            drainer[0] = context.getBean(GrpcServerDrainer.class);
        });
        assertThat(drainer[0].status().state()).isEqualTo(DrainState.TERMINATED);
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
            .withConfiguration(AutoConfigurations.of(GrpcGracefulShutdownAutoConfiguration.class,
                    GrpcShutdownNoServerAutoConfiguration.class))
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
                "No gRPC server to drain, so grpc.shutdown.* has no effect here: " + "net.devh starts no");
    }

    @Test
    void saysNothingWhenItDrains(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(GrpcShutdownNoServerAutoConfiguration.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(NoDrainableServer.class));
        assertThat(output).doesNotContain("No gRPC server to drain");
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
    void aQuietPeriodMakesTheDrainDelayEndOnEvidenceAndWatchesHttpHealthProbers() {
        runner.run(context -> {
            assertThat(context.getBean(GrpcServerDrainer.class).policy().delayEndsOnEvidence()).isFalse();
            assertThat(context).doesNotHaveBean(HealthProbeFilter.class);
        });
        runner.withPropertyValues("grpc.shutdown.quiet-period=500ms", "grpc.shutdown.drain-delay=10s").run(context -> {
            DrainPolicy policy = context.getBean(GrpcServerDrainer.class).policy();
            assertThat(policy.quietPeriod()).isEqualTo(Duration.ofMillis(500));
            assertThat(policy.delayEndsOnEvidence()).isTrue();
            assertThat(context).as("no servlet web application here").doesNotHaveBean(HealthProbeFilter.class);
        });
        new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GrpcServerAutoConfiguration.class,
                    GrpcServerFactoryAutoConfiguration.class, GrpcGracefulShutdownAutoConfiguration.class))
            .withPropertyValues("grpc.server.port=-1", "grpc.server.in-process-name=wiring-test-web",
                    "grpc.shutdown.quiet-period=1", "management.endpoints.web.base-path=/manage")
            .run(context -> {
                assertThat(context).hasSingleBean(HealthProbeFilter.class);
                HealthProbeFilter filter = context.getBean(HealthProbeFilter.class);
                assertThat(filter.isHealthProbe("/manage/health")).isTrue();
                assertThat(filter.isHealthProbe("/manage/health/readiness")).isTrue();
                assertThat(filter.isHealthProbe("/manage/health/liveness")).as("liveness stays up").isFalse();
                assertThat(filter.isHealthProbe("/manage/metrics")).isFalse();
            });
    }

    @Test
    void negativeQuietPeriodFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.quiet-period=-500ms");

        assertThat(analysis.getDescription())
            .isEqualTo("Invalid value '-500ms' for property 'grpc.shutdown.quiet-period': it must not be negative.");
        assertThat(analysis.getAction()).contains("'grpc.shutdown.quiet-period'").contains("500ms");
    }

    @Test
    void aSecondSignalForcesTheDrainUnlessTurnedOff() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(SecondSignalForcesDrain.class);
            assertThat(context.getBean(GrpcShutdownProperties.class).isForceOnSecondSignal()).isTrue();
        });
        runner.withPropertyValues("grpc.shutdown.force-on-second-signal=false")
            .run(context -> assertThat(context.getBean(GrpcShutdownProperties.class).isForceOnSecondSignal())
                .isFalse());
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.force-on-second-signal=twice");
        assertThat(analysis.getDescription()).isEqualTo(
                "Invalid value 'twice' for property 'grpc.shutdown.force-on-second-signal': it is not a boolean.");
        assertThat(analysis.getAction()).isEqualTo("Set 'grpc.shutdown.force-on-second-signal' to true or false.");
    }

    @Test
    void signalsDrainBeforeTheShutdownHooksOnlyWhenAskedAndOnlyWhileTheContextLives() {
        runner.run(context -> assertThat(context.getBean(DrainBeforeShutdownHooks.class).handles("TERM"))
            .as("off by default: the signals stay the JVM's")
            .isFalse());
        AtomicReference<DrainBeforeShutdownHooks> hooks = new AtomicReference<>();
        runner.withPropertyValues("grpc.shutdown.drain-before-shutdown-hooks=true").run(context -> {
            hooks.set(context.getBean(DrainBeforeShutdownHooks.class));
            assertThat(hooks.get().handles("TERM")).isTrue();
            assertThat(hooks.get().handles("INT")).isTrue();
        });
        assertThat(hooks.get().handles("TERM")).as("gone with the context").isFalse();
        runner.withPropertyValues("grpc.shutdown.drain-before-shutdown-hooks=true", "grpc.shutdown.enabled=false")
            .run(context -> assertThat(context).as("no drain, nothing to do first")
                .doesNotHaveBean(DrainBeforeShutdownHooks.class));
    }

    @Test
    void theDrainIsObservedThroughTheApplicationsRegistryAndNamedByItsConvention() {
        List<String> observed = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {

            @Override
            public void onStop(Observation.Context context) {
                observed.add(context.getName() + " " + context.getLowCardinalityKeyValue("outcome").getValue());
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

        });
        runner.withBean(ObservationRegistry.class, () -> registry)
            .withBean(GrpcDrainObservationConvention.class, () -> new DefaultGrpcDrainObservationConvention() {

                @Override
                public String getName() {
                    return "shop.drain";
                }

            })
            .run(context -> assertThat(context).hasSingleBean(ObservationParticipant.class)
                .hasSingleBean(EndedByDrainObservationFilter.class));
        assertThat(observed).containsExactly("shop.drain completed");
        ObservationParticipant own = new ObservationParticipant(ObservationRegistry.NOOP, null);
        runner.withBean(ObservationParticipant.class, () -> own)
            .run(context -> assertThat(context.getBean(ObservationParticipant.class)).isSameAs(own));
    }

    @Test
    void nonBooleanEnabledFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.enabled=maybe");

        assertThat(analysis.getDescription())
            .isEqualTo("Invalid value 'maybe' for property 'grpc.shutdown.enabled': it is not a boolean.");
        assertThat(analysis.getAction()).isEqualTo("Set 'grpc.shutdown.enabled' to true or false.");
    }

    @Test
    void longLivedMethodsDefaultToHealthWatchAndReflectionAndBindAsAList() {
        runner
            .run(context -> assertThat(context.getBean(GrpcServerDrainer.class).policy().longLivedMethods().patterns())
                .containsExactly("grpc.health.v1.Health/Watch",
                        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
        runner.withPropertyValues("grpc.shutdown.long-lived-methods=events.Events/Subscribe,chat.Chat/*")
            .run(context -> assertThat(context.getBean(GrpcServerDrainer.class).policy().longLivedMethods().patterns())
                .containsExactly("events.Events/Subscribe", "chat.Chat/*"));
    }

    @Test
    void aMethodPatternWithALeadingSlashFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure(
                "grpc.shutdown.long-lived-methods=chat.Chat/*,/events.Events/Subscribe");

        assertThat(analysis.getDescription()).isEqualTo("Invalid value '/events.Events/Subscribe' for property "
                + "'grpc.shutdown.long-lived-methods': it starts with '/': write the full method name without it, "
                + "such as events.Events/Subscribe.");
        assertThat(analysis.getAction()).contains("'grpc.shutdown.long-lived-methods'").contains("chat.Chat/*");
    }

    @Test
    void aMethodPatternThatIsNoMethodNameFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.long-lived-methods=Subscribe");

        assertThat(analysis.getDescription()).startsWith("Invalid value 'Subscribe' for property "
                + "'grpc.shutdown.long-lived-methods': it is not a full method name of the form package.Service/Method");
    }

    @Test
    void durationsTooLongForNanosecondsMeanForever() {
        // An endless drain-delay is tried in DrainContract, where the drain can
        // be interrupted.
        GrpcServerDrainer[] drainer = new GrpcServerDrainer[1];
        runner.withPropertyValues("grpc.shutdown.grace-period=999999999d").run(context -> {
            drainer[0] = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer[0].policy().gracePeriod()).isEqualTo(Durations.FOREVER);
            assertThat(Durations.describe(drainer[0].policy().gracePeriod())).isEqualTo("forever");
        });
        assertThat(drainer[0].status().state()).isEqualTo(DrainState.TERMINATED);
    }

    @Test
    void aDurationTooLongToBindFailsStartupWithAnExplanation() {
        FailureAnalysis analysis = analyzeStartupFailure("grpc.shutdown.grace-period=9223372036854775807d");

        assertThat(analysis.getDescription()).isEqualTo("Invalid value '9223372036854775807d' for property "
                + "'grpc.shutdown.grace-period': it is too long to compute with (anything over about 73 years already "
                + "means forever).");
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
