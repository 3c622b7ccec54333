package io.github.grpcgraceful.internal.engine;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The engine alone, on a clock the test moves: a drain-delay of 10 s and a grace period
 * of 30 s pass in no time, and what the engine reports is exact to the nanosecond. A real
 * in-process server and channel carry the calls; the handlers hold their calls until the
 * test answers them.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrainEngineTest {

    private static final MethodDescriptor<String, String> HOLD = TextMethods.method("test.Hold", "Hold",
            MethodDescriptor.MethodType.UNARY);

    private static final MethodDescriptor<String, String> WATCH = TextMethods.method("test.Hold", "Watch",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    private static final MethodDescriptor<String, String> GOODBYE = TextMethods.method("test.Hold", "Goodbye",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    /** A handler that ignores cancellation: it returns only when the test lets it. */
    private static final MethodDescriptor<String, String> STUCK = TextMethods.method("test.Hold", "Stuck",
            MethodDescriptor.MethodType.UNARY);

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualDrainClock clock = new ManualDrainClock();

    private final InFlightCallTracker tracker = new InFlightCallTracker();

    private final ServersTarget target = new ServersTarget();

    private final Recorder participant = new Recorder();

    /** Lets the handlers of {@link #STUCK} return. */
    private final CountDownLatch unstuck = new CountDownLatch(1);

    /** The handlers' observers, by request. */
    private final Map<String, StreamObserver<String>> held = new ConcurrentHashMap<>();

    private Server server;

    private ManagedChannel channel;

    private DrainEngine engine(Duration delay, Duration gracePeriod, List<String> longLived) throws Exception {
        this.server = serve();
        DrainPolicy policy = new DrainPolicy(delay, gracePeriod, MethodPatterns.of(longLived));
        return new DrainEngine(this.tracker, () -> policy, this.target, List.of(this.participant), this.clock);
    }

    /**
     * Starts an in-process server of the test's methods behind the tracker, registers it
     * with the target, and points the channel at it.
     */
    private Server serve() throws Exception {
        String name = InProcessServerBuilder.generateName();
        Server started = InProcessServerBuilder.forName(name)
            .addService(ServerServiceDefinition.builder("test.Hold")
                .addMethod(HOLD, ServerCalls.asyncUnaryCall(this.held::put))
                .addMethod(WATCH, ServerCalls.asyncServerStreamingCall(this.held::put))
                .addMethod(GOODBYE, ServerCalls.asyncServerStreamingCall(DrainEngineTest::sayGoodbyeOnDrain))
                .addMethod(STUCK, ServerCalls.asyncUnaryCall(this::stuck))
                .build())
            .intercept(this.tracker)
            .build()
            .start();
        if (this.channel != null) {
            this.channel.shutdownNow();
        }
        this.channel = InProcessChannelBuilder.forName(name).build();
        this.target.register(started, null);
        return started;
    }

    /** A stream that says hello, then goodbye and completes when the drain signals. */
    private static void sayGoodbyeOnDrain(String request, StreamObserver<String> responses) {
        // Asks for the signal before its first message: a test that sees the message
        // knows
        // the call asked.
        DrainSignal.current().onDrain(() -> {
            responses.onNext("goodbye " + request);
            responses.onCompleted();
        });
        responses.onNext("hello " + request);
    }

    private void stuck(String request, StreamObserver<String> responses) {
        this.held.put(request, responses);
        try {
            this.unstuck.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        this.unstuck.countDown();
        this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private StreamProbe<String> call(MethodDescriptor<String, String> method, String request) {
        StreamProbe<String> client = new StreamProbe<>();
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            ClientCalls.asyncUnaryCall(this.channel.newCall(method, CallOptions.DEFAULT), request, client);
        }
        else {
            ClientCalls.asyncServerStreamingCall(this.channel.newCall(method, CallOptions.DEFAULT), request, client);
        }
        if (method != GOODBYE) {
            await(() -> this.held.containsKey(request), Duration.ofSeconds(10));
        }
        return client;
    }

    /**
     * Moves the clock to the end of each wait the drain has been in for 100 ms of real
     * time, until it is done: for the drain's own waits past its deadline, whose order
     * the test does not control.
     */
    private void moveTheClockThroughSettledWaits(CompletableFuture<Void> done) {
        Duration[] pending = { null };
        long[] since = { 0 };
        await(() -> {
            Duration next = this.clock.nextWaitedFor();
            if (done.isDone() || next == null || next.compareTo(this.clock.elapsed()) <= 0) {
                pending[0] = null;
            }
            else if (!next.equals(pending[0])) {
                pending[0] = next;
                since[0] = System.nanoTime();
            }
            else if (System.nanoTime() - since[0] > TimeUnit.MILLISECONDS.toNanos(100)) {
                this.clock.advance(next.minus(this.clock.elapsed()));
                pending[0] = null;
            }
            return done.isDone();
        }, Duration.ofSeconds(10));
    }

    private static CompletableFuture<Void> drainInBackground(DrainEngine engine, boolean closing) {
        return CompletableFuture.runAsync(() -> engine.drain(closing));
    }

    @Test
    void theDelayAndTheGracePeriodPassOnTheEnginesClockAndWhatStillRunsEndsAtTheDeadline() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(10), Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(HOLD, "slow");

        CompletableFuture<Void> drained = drainInBackground(engine, true);

        await(() -> this.participant.started != null, Duration.ofSeconds(10));
        assertThat(this.participant.started).isEqualTo(Duration.ofSeconds(10));
        assertThat(engine.status().state()).isEqualTo(DrainState.DELAYING);
        this.clock.advance(Duration.ofSeconds(10));
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        assertThat(engine.status().deadline()).isEqualTo(START.plusSeconds(40));
        assertThat(client.closed()).isNotDone();

        this.clock.advance(Duration.ofSeconds(30));

        Status status = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 30s expired");
        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
        assertThat(this.participant.took).isEqualTo(Duration.ofSeconds(40));
        DrainStatus ended = engine.status();
        assertThat(ended.state()).isEqualTo(DrainState.TERMINATED);
        assertThat(ended.startedAt()).isEqualTo(START);
        assertThat(ended.finishedAt()).isEqualTo(START.plusSeconds(40));
        assertThat(ended.endedCalls()).isEqualTo(1);
        assertThat(ended.completedCalls()).isZero();
    }

    @Test
    void theDrainEndsTheMomentTheLastCallCompletesWithoutTheClockMoving() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(10), Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(HOLD, "answered");

        // A stop that is not a close: no drain-delay.
        CompletableFuture<Void> drained = drainInBackground(engine, false);
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.held.get("answered").onNext("hello");
        this.held.get("answered").onCompleted();

        drained.get(10, TimeUnit.SECONDS);
        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(this.participant.started).isZero();
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).isZero();
        assertThat(engine.status().completedCalls()).isEqualTo(1);
        assertThat(engine.status().failedCalls()).isZero();
    }

    @Test
    void longLivedStreamsAreReleasedWhenTheTargetStopsAccepting() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of("test.Hold/Watch"));
        StreamProbe<String> client = call(WATCH, "watching");

        engine.drain(true);

        Status status = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getDescription())
            .isEqualTo("server shutting down: long-lived stream released, reconnect to another server");
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).isZero();
        assertThat(engine.status().releasedCalls()).isEqualTo(1);
    }

    @Test
    void aZeroGracePeriodEndsTheCallsInFlightAtOnce() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ZERO, List.of());
        StreamProbe<String> client = call(HOLD, "cut");

        engine.drain(true);

        assertThat(client.closed().get(10, TimeUnit.SECONDS).getDescription())
            .isEqualTo("server shutting down: grace period 0s expired");
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
        assertThat(this.participant.took).isZero();
        assertThat(engine.status().endedCalls()).isEqualTo(1);
    }

    @Test
    void aGracePeriodOfPracticallyForeverStillEndsWithTheLastCall() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofDays(365 * 1000), List.of());
        StreamProbe<String> client = call(HOLD, "last");
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofDays(365));

        this.held.get("last").onNext("done");
        this.held.get("last").onCompleted();

        drained.get(10, TimeUnit.SECONDS);
        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).isEqualTo(Duration.ofDays(365));
        assertThat(engine.status().deadline()).isEqualTo(START.plus(Durations.FOREVER));
    }

    @Test
    void aDrainInterruptedDuringItsDelayStopsAcceptingEndsWhatRunsAndKeepsTheInterrupt() throws Exception {
        DrainEngine engine = engine(Duration.ofDays(1), Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(HOLD, "interrupted");
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread draining = new Thread(() -> {
            engine.drain(true);
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        draining.start();
        await(() -> this.participant.started != null, Duration.ofSeconds(10));

        draining.interrupt();

        assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
        assertThat(this.participant.took).as("no time passed on the clock").isZero();
        assertThat(this.server.isTerminated()).isTrue();
    }

    @Test
    void aForceDuringTheDelayEndsWhatRunsAtOnceAndLeavesNoInterruptBehind() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(10), Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(HOLD, "stuck");
        assertThat(engine.force("a test")).as("no drain runs yet").isFalse();
        CompletableFuture<Boolean> leftInterrupted = new CompletableFuture<>();
        Thread draining = new Thread(() -> {
            engine.drain(true);
            leftInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        draining.start();
        await(() -> this.participant.started != null, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(3));

        assertThat(engine.force("a second SIGTERM")).isTrue();

        Status status = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: stop forced by a second SIGTERM");
        assertThat(leftInterrupted.get(10, TimeUnit.SECONDS)).as("the force's interrupt is cleared").isFalse();
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
        assertThat(this.participant.took).as("no wait for the rest of the delay").isEqualTo(Duration.ofSeconds(3));
        assertThat(engine.status().endedCalls()).isEqualTo(1);
        assertThat(this.server.isTerminated()).isTrue();
        assertThat(engine.force("a third SIGTERM")).as("the drain is over").isFalse();
    }

    @Test
    void aForceDuringTheGracePeriodEndsWhatRunsAtOnceAndIsTakenOnce() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        StreamProbe<String> first = call(HOLD, "first");
        StreamProbe<String> second = call(HOLD, "second");
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(5));

        assertThat(engine.force("a second SIGINT")).isTrue();
        boolean forcedAgain = engine.force("a third SIGINT");

        drained.get(10, TimeUnit.SECONDS);
        assertThat(forcedAgain).as("forced once").isFalse();
        assertThat(first.closed().get(10, TimeUnit.SECONDS).getDescription())
            .isEqualTo("server shutting down: stop forced by a second SIGINT");
        assertThat(second.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
        assertThat(this.participant.took).isEqualTo(Duration.ofSeconds(5));
        assertThat(engine.status().endedCalls()).isEqualTo(2);
    }

    @Test
    void aForcedStopNamesEachCallItEndedAndShowsWhereEachHandlerStillAtWorkIs(CapturedOutput output) throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(STUCK, "ignoring");
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(2));

        engine.force("a second SIGTERM");
        // Its status goes out; the handler does not return, so the flush waits its full
        // second.
        assertThat(client.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        // Its participants' step and the flush both wait until 3 s on the clock: each
        // wait is let pass once it has lasted a moment, so no step is cut short.
        moveTheClockThroughSettledWaits(drained);
        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.clock.elapsed()).as("the flush's second, and at most a participant's before it")
            .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(4));

        assertThat(output).contains("gRPC drain forced by a second SIGTERM")
            // Ages are on the tracker's own clock, the system's.
            .contains("gRPC stop forced by a second SIGTERM: ended 1 call with UNAVAILABLE: test.Hold/Stuck (running ")
            .contains("1 handler still running after their calls were ended")
            .contains("A handler still at work after the forced stop, on thread \"")
            .contains(DrainEngineTest.class.getName() + ".stuck(");
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
    }

    @Test
    void aResumeServesAgainAndTheNextStopDrainsTheNewServer() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        engine.drain(false);
        DrainStatus first = engine.status();
        assertThat(first.state()).isEqualTo(DrainState.TERMINATED);
        assertThat(engine.canDrain()).as("its servers are done").isFalse();

        assertThat(engine.resume()).isTrue();
        assertThat(engine.status()).isEqualTo(DrainStatus.SERVING);
        assertThat(engine.previousDrain()).isEqualTo(first);
        assertThat(this.participant.resumedAfter).isEqualTo(first);
        assertThat(engine.resume()).as("serving already").isFalse();
        Server next = InProcessServerBuilder.forName(InProcessServerBuilder.generateName()).build().start();
        this.target.register(next, null);
        assertThat(engine.canDrain()).isTrue();
        engine.drain(false);
        assertThat(next.isTerminated()).isTrue();
        assertThat(engine.status().state()).isEqualTo(DrainState.TERMINATED);
    }

    @Test
    void aParticipantThatThrowsDoesNotStopTheDrain() throws Exception {
        DrainParticipant failing = new DrainParticipant() {
            @Override
            public void drainStarted(DrainStart start) {
                throw new IllegalStateException("a participant failed on purpose");
            }
        };
        engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        DrainEngine engine = new DrainEngine(this.tracker,
                () -> new DrainPolicy(Duration.ZERO, Duration.ofSeconds(30), MethodPatterns.none()), this.target,
                List.of(failing, this.participant), this.clock);

        engine.drain(true);

        assertThat(engine.status().state()).isEqualTo(DrainState.TERMINATED);
        assertThat(this.server.isTerminated()).isTrue();
        assertThat(this.participant.outcome).as("the next participant is still told").isEqualTo(DrainOutcome.COMPLETED);
    }

    @Test
    void callsThatArriveDuringTheDelayAreServedAndTheCountsTellOkFromFailed() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(10), Duration.ofSeconds(30), List.of());
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DELAYING, Duration.ofSeconds(10));

        StreamProbe<String> served = call(HOLD, "during-delay");
        this.held.get("during-delay").onNext("hello");
        this.held.get("during-delay").onCompleted();
        StreamProbe<String> failed = call(HOLD, "failing");
        this.held.get("failing").onError(Status.INTERNAL.withDescription("failed on purpose").asRuntimeException());

        assertThat(served.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(failed.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(engine.status().state()).as("served within the delay").isEqualTo(DrainState.DELAYING);
        // Live counts: the server counts a call once its handler has seen it close.
        await(() -> engine.status().completedCalls() == 2, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(10));
        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).isEqualTo(Duration.ofSeconds(10));
        assertThat(engine.status().completedCalls()).isEqualTo(2);
        assertThat(engine.status().failedCalls()).isEqualTo(1);
    }

    @Test
    void aSecondDrainIsANoOpAndTheParticipantsAreToldOnce() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(7), List.of());

        engine.drain(true);
        DrainStatus first = engine.status();
        engine.drain(true);
        engine.drain(false);

        assertThat(this.participant.starts).hasValue(1);
        assertThat(this.participant.ends).hasValue(1);
        assertThat(this.participant.inFlight).isZero();
        assertThat(this.participant.gracePeriod).isEqualTo(Duration.ofSeconds(7));
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(engine.status()).isEqualTo(first);
    }

    @Test
    void withNoLongLivedMethodsAStreamIsWaitedForUntilTheDeadlineThenEnded() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        StreamProbe<String> client = call(WATCH, "endless");
        this.held.get("endless").onNext("message 0");
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));

        this.clock.advance(Duration.ofSeconds(29));
        this.held.get("endless").onNext("message 1");
        assertThat(client.closed()).as("still waited for, a second before the deadline").isNotDone();
        this.clock.advance(Duration.ofSeconds(1));

        Status status = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 30s expired");
        assertThat(client.messages()).containsExactly("message 0", "message 1");
        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.participant.took).isEqualTo(Duration.ofSeconds(30));
        assertThat(engine.status().endedCalls()).isEqualTo(1);
        assertThat(engine.status().releasedCalls()).isZero();
    }

    @Test
    void aStreamOpenedDuringTheDelayIsReleasedTooAndCountedApartFromEndedCalls() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(5), Duration.ofSeconds(30), List.of("test.Hold/Watch"));
        StreamProbe<String> slow = call(HOLD, "slow");
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> engine.status().state() == DrainState.DELAYING, Duration.ofSeconds(10));
        StreamProbe<String> watch = call(WATCH, "opened-during-delay");

        this.clock.advance(Duration.ofSeconds(5));

        assertThat(watch.closed().get(10, TimeUnit.SECONDS).getDescription())
            .isEqualTo("server shutting down: long-lived stream released, reconnect to another server");
        assertThat(slow.closed()).isNotDone();
        this.clock.advance(Duration.ofSeconds(30));
        assertThat(slow.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        drained.get(10, TimeUnit.SECONDS);
        DrainStatus ended = engine.status();
        assertThat(ended.releasedCalls()).isEqualTo(1);
        assertThat(ended.endedCalls()).isEqualTo(1);
        assertThat(ended.completedCalls()).isZero();
    }

    @Test
    void aStreamThatTakesTheDrainSignalSaysGoodbyeAndCompletesWithOkLeavingNoThreadBehind() throws Exception {
        DrainEngine engine = engine(Duration.ZERO, Duration.ofSeconds(30), List.of("test.Hold/Goodbye"));
        StreamProbe<String> client = call(GOODBYE, "world");
        client.awaitFirstMessage();

        engine.drain(true);

        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(client.messages()).containsExactly("hello world", "goodbye world");
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).as("no time passed on the clock").isZero();
        assertThat(engine.status().completedCalls()).isEqualTo(1);
        assertThat(engine.status().releasedCalls()).as("it asked for the signal: never released").isZero();
        await(() -> Thread.getAllStackTraces()
            .keySet()
            .stream()
            .noneMatch((thread) -> thread.isAlive() && thread.getName().startsWith("grpc-drain")),
                Duration.ofSeconds(5));
    }

    @Test
    void aCloseAfterAResumeWaitsItsDelayAndEndsCallsAtItsDeadline() throws Exception {
        DrainEngine engine = engine(Duration.ofSeconds(1), Duration.ofSeconds(1), List.of());
        engine.drain(false);
        engine.resume();
        serve();
        StreamProbe<String> client = call(HOLD, "after-resume");

        CompletableFuture<Void> drained = drainInBackground(engine, true);
        await(() -> this.participant.starts.get() == 2, Duration.ofSeconds(10));
        assertThat(this.participant.started).isEqualTo(Duration.ofSeconds(1));
        this.clock.advance(Duration.ofSeconds(1));
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(1));

        assertThat(client.closed().get(10, TimeUnit.SECONDS).getDescription())
            .isEqualTo("server shutting down: grace period 1s expired");
        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.participant.took).isEqualTo(Duration.ofSeconds(2));
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.FORCED);
    }

    @Test
    void aParticipantThatBlocksHoldsTheDrainOnlyForItsBoundAndIsInterruptedWhenTheDrainEnds() throws Exception {
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        CountDownLatch blocked = new CountDownLatch(1);
        DrainParticipant blocking = new DrainParticipant() {
            @Override
            public void drainStarted(DrainStart start) {
                blocked.countDown();
                try {
                    new CountDownLatch(1).await();
                }
                catch (InterruptedException ex) {
                    interrupted.complete(true);
                }
            }
        };
        engine(Duration.ZERO, Duration.ofSeconds(30), List.of());
        List<Thread> stepThreads = new CopyOnWriteArrayList<>();
        DrainEngine engine = new DrainEngine(this.tracker,
                () -> new DrainPolicy(Duration.ZERO, Duration.ofSeconds(30), MethodPatterns.none()), this.target,
                List.of(blocking, this.participant), this.clock, (step) -> {
                    Thread thread = new Thread(step, "step-" + stepThreads.size());
                    stepThreads.add(thread);
                    return thread;
                });
        CompletableFuture<Void> drained = drainInBackground(engine, true);
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.participant.starts).as("the next waits its turn").hasValue(0);

        this.clock.advance(DrainEngine.PARTICIPANT_WAIT);

        drained.get(10, TimeUnit.SECONDS);
        assertThat(this.participant.starts).as("then it is told").hasValue(1);
        assertThat(this.participant.outcome).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(this.participant.took).isEqualTo(DrainEngine.PARTICIPANT_WAIT);
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).as("interrupted once the drain was over").isTrue();
        assertThat(stepThreads)
            .as("a thread of the given factory per participant and step: started, listener " + "closed, ended")
            .hasSize(6);
        for (Thread thread : stepThreads) {
            thread.join(10_000);
        }
        assertThat(stepThreads).as("none outlives the drain").noneMatch(Thread::isAlive);
    }

    /** What the engine told its participant. */
    private static final class Recorder implements DrainParticipant {

        volatile Duration started;

        volatile int inFlight;

        volatile Duration gracePeriod;

        final AtomicInteger starts = new AtomicInteger();

        final AtomicInteger ends = new AtomicInteger();

        volatile DrainOutcome outcome;

        volatile Duration took;

        volatile DrainStatus resumedAfter;

        @Override
        public void drainStarted(DrainStart start) {
            this.started = start.delay();
            this.inFlight = start.inFlight();
            this.gracePeriod = start.gracePeriod();
            this.starts.incrementAndGet();
        }

        @Override
        public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
            this.took = took;
            this.ends.incrementAndGet();
            this.outcome = outcome;
        }

        @Override
        public void servingResumed(DrainStatus endedDrain) {
            this.resumedAfter = endedDrain;
        }

    }

}
