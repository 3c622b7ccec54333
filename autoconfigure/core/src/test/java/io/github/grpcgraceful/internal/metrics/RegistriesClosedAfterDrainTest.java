package io.github.grpcgraceful.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;

/**
 * Where nothing will drain, Spring Boot's registry closer keeps its place: in a real
 * context with a listener named as Boot's, a drainer disabled at run time (Spring AOT) or
 * without a server leaves it to run on the close event.
 */
class RegistriesClosedAfterDrainTest {

    private final List<String> order = new CopyOnWriteArrayList<>();

    @Test
    void aDrainerDisabledAtRunTimeLeavesBootsCloserWhereItWas() {
        try (GenericApplicationContext context = context(false)) {
            context.refresh();
            context.close();
        }
        assertThat(order).containsExactly("registries closed", "lifecycles stopped");
    }

    @Test
    void withoutAServerToDrainTheRegistriesCloseOnTheCloseEvent() {
        try (GenericApplicationContext context = context(true)) {
            context.refresh();
            context.close();
        }
        assertThat(order).containsExactly("registries closed", "lifecycles stopped");
    }

    @Test
    void aStopThatIsNoCloseClosesNoRegistry() {
        try (GenericApplicationContext context = context(true)) {
            context.refresh();
            context.stop();
            assertThat(order).containsExactly("lifecycles stopped");
            context.start();
            context.close();
        }
        assertThat(order).containsExactly("lifecycles stopped", "registries closed", "lifecycles stopped");
    }

    private GenericApplicationContext context(boolean enabled) {
        GenericApplicationContext context = new GenericApplicationContext();
        InFlightCallTracker tracker = new InFlightCallTracker();
        context.registerBean(GrpcServerDrainer.class,
                () -> GrpcServerDrainer.forServers(tracker,
                        () -> new DrainPolicy(Duration.ZERO, Duration.ofSeconds(1), MethodPatterns.none()), context,
                        enabled, List.of()));
        context.registerBean(RegistriesClosedAfterDrain.class,
                () -> new RegistriesClosedAfterDrain(context.getBeanProvider(GrpcServerDrainer.class)));
        context.registerBean(RegistriesClosedAfterDrain.BOOT_CLOSER, RegistryCloser.class,
                () -> new RegistryCloser(order));
        context.registerBean("firstToStop", StopRecorder.class, () -> new StopRecorder(order));
        return context;
    }

    /** Stands for Spring Boot's listener of the same name: notes when it ran. */
    static final class RegistryCloser implements ApplicationListener<ContextClosedEvent> {

        private final List<String> order;

        RegistryCloser(List<String> order) {
            this.order = order;
        }

        @Override
        public void onApplicationEvent(ContextClosedEvent event) {
            order.add("registries closed");
        }

    }

    static final class StopRecorder implements SmartLifecycle {

        private final List<String> order;

        private volatile boolean running;

        StopRecorder(List<String> order) {
            this.order = order;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            order.add("lifecycles stopped");
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return GrpcServerDrainer.PHASE;
        }

    }

}
