package io.github.grpcgraceful.internal.observation;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.internal.engine.DrainEngine;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.observation.DefaultGrpcDrainObservationConvention;
import io.github.grpcgraceful.observation.GrpcDrainObservationContext;
import io.github.grpcgraceful.testing.HeldCallsServer;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

/**
 * A drain as one Micrometer observation, seen by a handler of a real
 * {@link ObservationRegistry} as a tracer's would see it: started at the drain's start,
 * each step an event in order, the calls it released or ended named, stopped at its end
 * with its outcome and counts. The engine runs on its manual clock: a 30 s grace period
 * passes in no time.
 */
class ObservationParticipantTest {

    private final ManualDrainClock clock = new ManualDrainClock();

    private final InFlightCallTracker tracker = new InFlightCallTracker();

    private final Recorder recorder = new Recorder();

    private HeldCallsServer server;

    @AfterEach
    void stop() throws InterruptedException {
        this.server.close();
    }

    @Test
    void theDrainIsOneObservationWithItsStepsAsEventsAndItsOutcome() throws Exception {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(this.recorder);
        DrainEngine engine = startServerAndEngine(new ObservationParticipant(registry, null));
        this.server.call(HeldCallsServer.HOLD, "slow");
        this.server.call(HeldCallsServer.WATCH, "stream");

        drainThroughTheDeadline(engine);

        assertThat(this.recorder.started).containsExactly("grpc.server.drain");
        assertThat(this.recorder.events).containsExactly("out.of.service", "delay.ended", "listener.closed",
                "streams.released", "deadline", "drained");
        assertThat(this.recorder.eventText("out.of.service"))
            .isEqualTo("out of service: 2 in flight, drain-delay 0s, grace period 30s");
        assertThat(this.recorder.eventText("delay.ended")).isEqualTo("drain-delay ended fixed after 0s");
        assertThat(this.recorder.eventText("streams.released"))
            .startsWith("released 1 long-lived: test.Hold/Watch (running ");
        assertThat(this.recorder.eventText("deadline"))
            .startsWith("deadline: ended 1 with UNAVAILABLE: test.Hold/Hold (running ");
        assertThat(this.recorder.eventText("drained")).isEqualTo("drained: forced in 30s");
        GrpcDrainObservationContext stopped = this.recorder.stopped.get(0);
        assertThat(stopped.getContextualName()).isEqualTo("grpc server drain");
        assertThat(stopped.getLowCardinalityKeyValues()).containsExactlyInAnyOrder(KeyValue.of("outcome", "forced"),
                KeyValue.of("delay.end", "fixed"));
        assertThat(stopped.getHighCardinalityKeyValues()).contains(KeyValue.of("calls.at.start", "2"),
                KeyValue.of("calls.released", "1"), KeyValue.of("calls.ended", "1"),
                KeyValue.of("calls.completed", "0"), KeyValue.of("grace.period", "PT30S"));
    }

    @Test
    void theApplicationsConventionNamesTheObservation() throws Exception {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(this.recorder);
        DrainEngine engine = startServerAndEngine(
                new ObservationParticipant(registry, new DefaultGrpcDrainObservationConvention() {

                    @Override
                    public String getName() {
                        return "shop.drain";
                    }

                }));

        engine.drain(true);

        assertThat(this.recorder.started).containsExactly("shop.drain");
        assertThat(this.recorder.stopped.get(0).getLowCardinalityKeyValues())
            .contains(KeyValue.of("outcome", "completed"));
    }

    @Test
    void withNothingObservingTheDrainRunsAsBefore() throws Exception {
        DrainEngine engine = startServerAndEngine(new ObservationParticipant(ObservationRegistry.NOOP, null));
        this.server.call(HeldCallsServer.HOLD, "slow");

        drainThroughTheDeadline(engine);

        assertThat(this.tracker.endedCalls()).isOne();
    }

    private DrainEngine startServerAndEngine(ObservationParticipant participant) throws Exception {
        this.server = new HeldCallsServer(this.tracker);
        DrainPolicy policy = new DrainPolicy(Duration.ZERO, Duration.ofSeconds(30),
                MethodPatterns.of(List.of("test.Hold/Watch")));
        return new DrainEngine(this.tracker, () -> policy, this.server.target(), List.of(participant), this.clock);
    }

    private void drainThroughTheDeadline(DrainEngine engine) throws Exception {
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> engine.drain(true));
        await(() -> this.clock.isWaitedFor(Duration.ofSeconds(30)), Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(30));
        drained.get(10, TimeUnit.SECONDS);
    }

    /** What a tracer's handler sees of the drain's observations. */
    private static final class Recorder implements ObservationHandler<GrpcDrainObservationContext> {

        final List<String> started = new CopyOnWriteArrayList<>();

        final List<String> events = new CopyOnWriteArrayList<>();

        final Map<String, String> eventTexts = new ConcurrentHashMap<>();

        final List<GrpcDrainObservationContext> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(GrpcDrainObservationContext context) {
            this.started.add(context.getName());
        }

        @Override
        public void onEvent(Observation.Event event, GrpcDrainObservationContext context) {
            this.events.add(event.getName());
            this.eventTexts.put(event.getName(), event.getContextualName());
        }

        @Override
        public void onStop(GrpcDrainObservationContext context) {
            this.stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return context instanceof GrpcDrainObservationContext;
        }

        String eventText(String name) {
            return this.eventTexts.get(name);
        }

    }

}
