package io.github.grpcgraceful.internal.jfr;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.internal.engine.DrainEngine;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.testing.HeldCallsServer;

/**
 * A drain in a real flight recording, read back with {@code jdk.jfr.consumer}: the drain
 * as one event with its outcome and counts, its steps in order, and each call it released
 * or ended, with its method. The engine runs on its manual clock: a 30 s grace period
 * passes in no time.
 */
class FlightRecorderParticipantTest {

    private final ManualDrainClock clock = new ManualDrainClock();

    private final InFlightCallTracker tracker = new InFlightCallTracker();

    private HeldCallsServer server;

    @AfterEach
    void stop() throws InterruptedException {
        this.server.close();
    }

    @Test
    void theDrainItsStepsAndTheCallsItEndedAreInTheRecording(@TempDir Path directory) throws Exception {
        this.server = new HeldCallsServer(this.tracker);
        DrainPolicy policy = new DrainPolicy(Duration.ZERO, Duration.ofSeconds(30),
                MethodPatterns.of(List.of("test.Hold/Watch")));
        DrainEngine engine = new DrainEngine(this.tracker, () -> policy, this.server.target(),
                List.of(new FlightRecorderParticipant()), this.clock);
        this.server.call(HeldCallsServer.HOLD, "slow");
        this.server.call(HeldCallsServer.WATCH, "stream");

        Path file = directory.resolve("drain.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.github.grpcgraceful.Drain");
            recording.enable("io.github.grpcgraceful.DrainStep");
            recording.enable("io.github.grpcgraceful.CallEnded");
            recording.start();
            CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> engine.drain(true));
            await(() -> this.clock.isWaitedFor(Duration.ofSeconds(30)), Duration.ofSeconds(10));
            this.clock.advance(Duration.ofSeconds(30));
            drained.get(10, TimeUnit.SECONDS);
            recording.stop();
            recording.dump(file);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent drain = only(events, "io.github.grpcgraceful.Drain");
        assertThat(drain.getString("outcome")).isEqualTo("forced");
        assertThat(drain.getInt("inFlightAtStart")).isEqualTo(2);
        assertThat(drain.getLong("releasedCalls")).isOne();
        assertThat(drain.getLong("endedCalls")).isOne();
        assertThat(drain.getDuration("gracePeriod")).isEqualTo(Duration.ofSeconds(30));
        assertThat(events.stream()
            .filter(event -> event.getEventType().getName().equals("io.github.grpcgraceful.DrainStep"))
            .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
            .map(event -> event.getString("step")))
            .containsExactly("out of service", "listener closed", "deadline", "drained");
        assertThat(events.stream()
            .filter(event -> event.getEventType().getName().equals("io.github.grpcgraceful.CallEnded"))
            .map(event -> event.getString("method") + " " + event.getString("how")))
            .containsExactlyInAnyOrder("test.Hold/Watch released", "test.Hold/Hold ended at the deadline");
        assertThat(Files.size(file)).isPositive();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> named = events.stream()
            .filter(event -> event.getEventType().getName().equals(name))
            .toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }

}
