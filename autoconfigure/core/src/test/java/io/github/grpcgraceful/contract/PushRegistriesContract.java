package io.github.grpcgraceful.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.SmartLifecycle;

import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.OtlpReceiver;
import io.github.grpcgraceful.testing.OtlpReceiver.Push;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A push registry sees the drain: Spring Boot's OTLP registry, pushing every second to a
 * real OTLP/HTTP receiver, keeps publishing while calls drain, and its final publish,
 * after the drain, carries the drain's timer and counters.
 *
 * <p>
 * The final publish is checked with a step of an hour, so that no scheduled publish runs
 * then: Micrometer sends no final publish when a scheduled one is under way as the
 * registry closes (it waits for that one instead, which may have read the meters just
 * before the drain recorded its end). docs/observability.md says so.
 */
public abstract class PushRegistriesContract extends GrpcAppContract {

    private static final Map<String, String> SLEEP = Map.of("service", "test.Slow", "method", "Sleep");

    private final List<OtlpReceiver> receivers = new ArrayList<>();

    private OtlpReceiver receiver() throws Exception {
        OtlpReceiver receiver = new OtlpReceiver();
        receivers.add(receiver);
        return receiver;
    }

    /** Pushing every second. */
    private GrpcApp startPushing(OtlpReceiver receiver, String... properties) {
        return startPushing(receiver, Duration.ofSeconds(1), properties);
    }

    /**
     * Pushing only when the registry closes: the first scheduled publish is at least an
     * hour away.
     */
    private GrpcApp startPushingOnlyAtTheEnd(OtlpReceiver receiver, String... properties) {
        return startPushing(receiver, Duration.ofHours(1), properties);
    }

    private GrpcApp startPushing(OtlpReceiver receiver, Duration step, String... properties) {
        List<String> all = new ArrayList<>(List.of(receiver.properties(step)));
        all.add("management.otlp.metrics.export.enabled=true");
        all.addAll(List.of(properties));
        return start(all.toArray(String[]::new));
    }

    @AfterEach
    void closeReceivers() {
        receivers.forEach(OtlpReceiver::close);
    }

    @Test
    @SameOnEveryStack
    void theRegistryPushesTheCallsInFlightDuringTheDrain() throws Exception {
        OtlpReceiver receiver = receiver();
        GrpcApp app = startPushing(receiver, "grpc.shutdown.drain-delay=0");
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        // A call that outlasts three steps of the registry once the drain has begun.
        CompletableFuture<String> reply = app.sleepCall(3500);

        long drainStart = System.nanoTime();
        app.closeAsync().get(30, TimeUnit.SECONDS);

        assertThat(reply.get()).isEqualTo("slept 3500");
        List<Push> duringTheDrain = receiver.pushes()
            .stream()
            .filter(push -> push.arrivedNanos() > drainStart)
            .toList();
        assertThat(duringTheDrain).as("pushes after the drain began").hasSizeGreaterThanOrEqualTo(2);
        assertThat(duringTheDrain).as("a push while the call drained")
            .anySatisfy(push -> assertThat(push.gauge("grpc.server.calls.active", SLEEP)).hasValue(1.0));
        assertThat(registry.isClosed()).isTrue();
    }

    @Test
    void theFinalPushCarriesTheDrainThatCompleted() throws Exception {
        OtlpReceiver receiver = receiver();
        GrpcApp app = startPushingOnlyAtTheEnd(receiver, "grpc.shutdown.drain-delay=0");
        CompletableFuture<String> reply = app.sleepCall(500);

        app.closeAsync().get(30, TimeUnit.SECONDS);

        assertThat(reply.get()).isEqualTo("slept 500");
        assertThat(receiver.pushes()).as("only the final push").hasSize(1);
        Push last = receiver.pushes().get(0);
        assertThat(last.timerCount("grpc.server.drain.duration", Map.of("outcome", "completed"))).hasValue(1);
        assertThat(last.timerCount("grpc.server.drain.duration", Map.of("outcome", "forced"))).hasValue(0);
        assertThat(last.gauge("grpc.server.calls.active", SLEEP)).hasValue(0.0);
        assertThat(last.counter("grpc.server.drain.ended.calls")).hasValue(0.0);
    }

    @Test
    @SameOnEveryStack
    void callsEndedAtTheDeadlineAreInTheFinalPush() throws Exception {
        OtlpReceiver receiver = receiver();
        GrpcApp app = startPushingOnlyAtTheEnd(receiver, "grpc.shutdown.drain-delay=0",
                "grpc.shutdown.grace-period=1s");
        CompletableFuture<String> reply = app.sleepCall(30_000);

        app.closeAsync().get(30, TimeUnit.SECONDS);

        assertThat(reply).isCompletedExceptionally();
        assertThat(receiver.pushes()).as("only the final push").hasSize(1);
        Push last = receiver.pushes().get(0);
        assertThat(last.timerCount("grpc.server.drain.duration", Map.of("outcome", "forced"))).hasValue(1);
        assertThat(last.counter("grpc.server.drain.ended.calls")).hasValue(1.0);
    }

    @Test
    void aLifecycleStopClosesNoRegistryAndTheCloseAfterItDoes() throws Exception {
        OtlpReceiver receiver = receiver();
        GrpcApp app = startPushing(receiver);
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);

        app.context().stop();

        assertThat(registry.isClosed()).isFalse();
        int pushed = receiver.pushes().size();
        receiver.awaitPushes(pushed, Duration.ofSeconds(10));
        app.context().start();
        app.context().close();
        assertThat(registry.isClosed()).isTrue();
    }

    @Test
    void whileTheLifecyclesStopTheRegistryIsOpenAndClosedBeforeTheBeansAreDestroyed() throws Exception {
        GrpcApp app = startPushing(receiver(), "grpc.shutdown.drain-delay=0");
        RegistryProbe probe = RegistryProbe.install(app);

        app.close();

        assertThat(probe.closedWhenTheLifecyclesStopped).isFalse();
        assertThat(probe.closedWhenTheBeansWereDestroyed).isTrue();
    }

    @Test
    void withTheStarterDisabledTheRegistryClosesWhenSpringBootClosesIt() throws Exception {
        GrpcApp app = startPushing(receiver(), "grpc.shutdown.enabled=false");
        RegistryProbe probe = RegistryProbe.install(app);

        app.close();

        assertThat(probe.closedWhenTheLifecyclesStopped).as("closed when the context started closing").isTrue();
    }

    /**
     * A lifecycle stopped first, with the drain, and a bean destroyed later: each notes
     * whether the registry was closed.
     */
    static final class RegistryProbe implements SmartLifecycle, DisposableBean {

        private final MeterRegistry registry;

        private volatile boolean running = true;

        volatile Boolean closedWhenTheLifecyclesStopped;

        volatile Boolean closedWhenTheBeansWereDestroyed;

        private RegistryProbe(MeterRegistry registry) {
            this.registry = registry;
        }

        static RegistryProbe install(GrpcApp app) {
            RegistryProbe probe = new RegistryProbe(app.context().getBean(MeterRegistry.class));
            // Registered now, it is still stopped and destroyed with the context.
            app.context().getBeanFactory().registerSingleton("registryProbe", probe);
            ((DefaultListableBeanFactory) app.context().getBeanFactory()).registerDisposableBean("registryProbe",
                    probe);
            return probe;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            closedWhenTheLifecyclesStopped = registry.isClosed();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void destroy() {
            closedWhenTheBeansWereDestroyed = registry.isClosed();
        }

    }

}
