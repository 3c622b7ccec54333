package io.github.grpcgraceful.internal.engine;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.internal.probe.HealthProbers;
import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/**
 * The evidence-based drain-delay on the engine and its manual clock: a 10 s maximum and a
 * 500 ms quiet period pass in no time, and each ending is at an exact instant. Health
 * probers are told apart by name; gRPC health {@code Check} callers are noted by the
 * tracker itself.
 */
class EvidenceDelayTest {

    private static final Duration MAXIMUM = Duration.ofSeconds(10);

    private static final Duration QUIET = Duration.ofMillis(500);

    private static final MethodDescriptor<String, String> ECHO = TextMethods.method("test.Echo", "Echo",
            MethodDescriptor.MethodType.UNARY);

    private static final MethodDescriptor<String, String> HEALTH_CHECK = TextMethods.method("grpc.health.v1.Health",
            "Check", MethodDescriptor.MethodType.UNARY);

    private final ManualDrainClock clock = new ManualDrainClock();

    private final HealthProbers probers = new HealthProbers(this.clock);

    private final InFlightCallTracker tracker = new InFlightCallTracker(this.probers);

    private final ServersTarget target = new ServersTarget();

    private Server server;

    private ManagedChannel channel;

    /** Where the test has moved the clock to, from its start. */
    private Duration now = Duration.ZERO;

    @BeforeEach
    void serve() throws Exception {
        String name = InProcessServerBuilder.generateName();
        this.server = InProcessServerBuilder.forName(name)
            .addService(ServerServiceDefinition.builder("test.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, responses) -> {
                    responses.onNext(request);
                    responses.onCompleted();
                }))
                .build())
            .addService(ServerServiceDefinition.builder("grpc.health.v1.Health")
                .addMethod(HEALTH_CHECK, ServerCalls.asyncUnaryCall((request, responses) -> {
                    responses.onNext("NOT_SERVING");
                    responses.onCompleted();
                }))
                .build())
            .intercept(this.tracker)
            .build()
            .start();
        this.channel = InProcessChannelBuilder.forName(name).build();
        this.target.register(this.server, null);
    }

    @AfterEach
    void stop() throws InterruptedException {
        this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private DrainEngine engine() {
        DrainPolicy policy = new DrainPolicy(MAXIMUM, Duration.ofSeconds(30), MethodPatterns.none(), QUIET);
        return new DrainEngine(this.tracker, () -> policy, this.target, List.of(), this.clock);
    }

    /**
     * Starts the drain, and returns once its delay waits for evidence at the clock's now.
     */
    private CompletableFuture<Void> drain(DrainEngine engine) {
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> engine.drain(true));
        awaitLook();
        return drained;
    }

    /** Waits until the delay looks at the evidence again from now on. */
    private void awaitLook() {
        Duration next = this.now.plus(EvidenceDelay.LOOK_AGAIN);
        await(() -> this.clock.isWaitedFor(next), Duration.ofSeconds(10));
    }

    /**
     * Moves the clock on by {@code duration} in the delay's own steps, waiting for it to
     * look at the evidence at each, until the delay has ended.
     */
    private void advance(DrainEngine engine, Duration duration) {
        Duration until = this.now.plus(duration);
        while (this.now.compareTo(until) < 0 && engine.status().state() == DrainState.DELAYING) {
            this.clock.advance(EvidenceDelay.LOOK_AGAIN);
            this.now = this.now.plus(EvidenceDelay.LOOK_AGAIN);
            await(() -> engine.status().state() != DrainState.DELAYING
                    || this.clock.isWaitedFor(this.now.plus(EvidenceDelay.LOOK_AGAIN)), Duration.ofSeconds(10));
        }
    }

    /** {@code prober} probes now, and the clock moves on by {@code before}. */
    private void probedBeforeTheDrain(String prober, Duration before) {
        this.probers.probed(prober);
        this.clock.advance(before);
        this.now = this.now.plus(before);
    }

    private DrainDelay ended(DrainEngine engine, CompletableFuture<Void> drained) throws Exception {
        drained.get(10, TimeUnit.SECONDS);
        return engine.status().delay();
    }

    private void echo() {
        ClientCalls.blockingUnaryCall(this.channel, ECHO, CallOptions.DEFAULT, "hello");
    }

    @Test
    void withNoProberAndNoTrafficTheDelayEndsAfterTheQuietPeriod() throws Exception {
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        advance(engine, Duration.ofMillis(400));
        assertThat(engine.status().state()).isEqualTo(DrainState.DELAYING);
        advance(engine, Duration.ofMillis(100));

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.EVIDENCE);
        assertThat(delay.took()).isEqualTo(QUIET);
        assertThat(delay.probersSeen()).isZero();
        assertThat(delay.lastCallAfter()).isNull();
    }

    @Test
    void aProberSeenBeforeTheDrainHoldsTheDelayUntilItProbesAgain() throws Exception {
        probedBeforeTheDrain("HTTP health from 10.0.0.7 (kube-probe/1.30)", Duration.ofSeconds(2));
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        advance(engine, Duration.ofMillis(1_500));
        assertThat(engine.status().state()).as("quiet, but the prober was not answered out of service yet")
            .isEqualTo(DrainState.DELAYING);
        this.probers.probed("HTTP health from 10.0.0.7 (kube-probe/1.30)");
        advance(engine, EvidenceDelay.LOOK_AGAIN);

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.EVIDENCE);
        assertThat(delay.took()).isEqualTo(Duration.ofMillis(1_600));
        assertThat(delay.probersSeen()).isOne();
        assertThat(delay.lastAnsweredProber()).isEqualTo("HTTP health from 10.0.0.7 (kube-probe/1.30)");
        assertThat(delay.lastAnsweredAfter()).isEqualTo(Duration.ofMillis(1_500));
    }

    @Test
    void aProberThatStopsProbingCannotHoldTheDelayPastItsMaximum() throws Exception {
        // Seen longer than one drain-delay before the drain: not waited for.
        probedBeforeTheDrain("HTTP health from 10.0.0.9", Duration.ofSeconds(11));
        probedBeforeTheDrain("HTTP health from 10.0.0.7", Duration.ofSeconds(1));
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        advance(engine, MAXIMUM);

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.MAXIMUM);
        assertThat(delay.took()).isEqualTo(MAXIMUM);
        assertThat(delay.probersSeen()).as("only the one seen within a drain-delay before the drain").isOne();
        assertThat(delay.lastAnsweredProber()).isNull();
    }

    @Test
    void aProberOfGrpcHealthAloneIsWaitedForAndAnsweredThroughTheTracker() throws Exception {
        ClientCalls.blockingUnaryCall(this.channel, HEALTH_CHECK, CallOptions.DEFAULT, "");
        this.clock.advance(Duration.ofSeconds(1));
        this.now = Duration.ofSeconds(1);
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        advance(engine, Duration.ofSeconds(2));
        assertThat(engine.status().state()).isEqualTo(DrainState.DELAYING);
        ClientCalls.blockingUnaryCall(this.channel, HEALTH_CHECK, CallOptions.DEFAULT, "");
        advance(engine, EvidenceDelay.LOOK_AGAIN);

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.EVIDENCE);
        assertThat(delay.took()).isEqualTo(Duration.ofMillis(2_100));
        assertThat(delay.lastAnsweredProber()).startsWith("gRPC health Check from ");
        assertThat(delay.lastCallAfter()).as("health checks are no traffic").isNull();
    }

    @Test
    void callsThatKeepArrivingHoldTheDelayToItsMaximum() throws Exception {
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        for (int i = 0; i < 25; i++) {
            echo();
            advance(engine, Duration.ofMillis(400));
        }

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.MAXIMUM);
        assertThat(delay.took()).isEqualTo(MAXIMUM);
        assertThat(delay.lastCallAfter()).isEqualTo(Duration.ofMillis(9_700));
    }

    @Test
    void theQuietPeriodCountsFromTheLastNewCall() throws Exception {
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);

        advance(engine, Duration.ofMillis(300));
        echo();
        advance(engine, Duration.ofMillis(500));
        assertThat(engine.status().state()).isEqualTo(DrainState.DELAYING);
        advance(engine, Duration.ofMillis(100));

        DrainDelay delay = ended(engine, drained);
        assertThat(delay.end()).isEqualTo(DrainDelay.End.EVIDENCE);
        // Seen at the next look, 400 ms in: quiet from then on.
        assertThat(delay.lastCallAfter()).isEqualTo(Duration.ofMillis(400));
        assertThat(delay.took()).isEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aDrainAfterAResumeStartsFromCleanEvidence() throws Exception {
        probedBeforeTheDrain("HTTP health from 10.0.0.7", Duration.ofSeconds(1));
        DrainEngine engine = engine();
        CompletableFuture<Void> drained = drain(engine);
        this.probers.probed("HTTP health from 10.0.0.7");
        advance(engine, QUIET);
        assertThat(ended(engine, drained).end()).isEqualTo(DrainDelay.End.EVIDENCE);
        stop();
        serve();
        assertThat(engine.resume()).isTrue();

        // Answered out of service during the first drain: that is no answer for the
        // second.
        drained = drain(engine);
        advance(engine, Duration.ofSeconds(2));
        assertThat(engine.status().state()).isEqualTo(DrainState.DELAYING);
        this.probers.probed("HTTP health from 10.0.0.7");
        advance(engine, EvidenceDelay.LOOK_AGAIN);

        assertThat(ended(engine, drained).end()).isEqualTo(DrainDelay.End.EVIDENCE);
    }

}
