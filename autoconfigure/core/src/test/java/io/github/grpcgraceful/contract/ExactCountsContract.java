package io.github.grpcgraceful.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.GrpcApp;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every call is counted exactly once, as completed, released or ended, while thousands of
 * calls over several channels finish, are cancelled by their clients, run out of
 * deadline, and meet the drain's own deadline, all at once. The tracker, the drain's
 * event, its status (what the endpoint shows) and the meters agree, and so do the
 * clients: every call counted as completed with OK reached its client with OK.
 */
public abstract class ExactCountsContract extends GrpcAppContract {

    private static final int CHANNELS = 4;

    private static final int CALLS = 1_200;

    private static final long GRACE_MILLIS = 1_000;

    @AutoClose("shutdownNow")
    private final ScheduledExecutorService clients = Executors.newScheduledThreadPool(2);

    /** Calls whose client saw them complete with OK. */
    private final AtomicLong okOnClients = new AtomicLong();

    /** What the clients saw of the others, by status code: for the failure message. */
    private final Map<Status.Code, Integer> failedOnClients = new ConcurrentHashMap<>();

    @Test
    void everyCallIsCountedOnceWhileCancelsDeadlinesAndTheDrainRace() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=1s");
        InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);
        GrpcServerDrainer drainer = app.context().getBean(GrpcServerDrainer.class);
        MeterRegistry meters = app.context().getBean(MeterRegistry.class);
        race(app);
        GrpcDrainCompletedEvent drain = app.drainCompleted();

        assertThat(tracker.trackedCalls()).as("tracked")
            .isGreaterThan(CALLS / 2)
            .isEqualTo(tracker.completedCalls() + tracker.releasedCalls() + tracker.endedCalls());
        assertThat(drain.getEndedCalls()).isPositive().isEqualTo(tracker.endedCalls());
        assertThat(drain.getReleasedCalls()).isPositive().isEqualTo(tracker.releasedCalls());
        assertThat(drain.getCompletedCalls()).isPositive().isLessThanOrEqualTo(tracker.completedCalls());
        DrainStatus status = drainer.status();
        assertThat(status.completedCalls()).isEqualTo(drain.getCompletedCalls());
        assertThat(status.releasedCalls()).isEqualTo(drain.getReleasedCalls());
        assertThat(status.endedCalls()).isEqualTo(drain.getEndedCalls());
        assertThat(meters.get("grpc.server.drain.ended.calls").counter().count()).isEqualTo(drain.getEndedCalls());
        assertThat(meters.get("grpc.server.drain.released.calls").counter().count())
            .isEqualTo(drain.getReleasedCalls());
        assertThat(app.service().handlerErrors()).isEmpty();
    }

    /**
     * The same race, seen from the clients: every call the tracker counted as completed
     * with OK reached its client with OK, and no other call did.
     */
    @Test
    @SameOnEveryStack
    void everyCallCountedCompletedWithOkReachedItsClientWithOk() throws Exception {
        GrpcApp app = start("grpc.shutdown.grace-period=1s");
        InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);
        race(app);

        assertThat(okOnClients).as("calls seen with OK by their clients (the others: %s)", failedOnClients)
            .hasValue(tracker.completedCalls() - tracker.failedCalls());
    }

    /**
     * Thousands of calls over several channels that finish, are cancelled by their
     * clients, run out of deadline and meet the drain's deadline, and the drain started
     * when half of them are out; returns when all have ended and the drain is over.
     */
    private void race(GrpcApp app) throws Exception {
        InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);
        List<ManagedChannel> channels = IntStream.range(0, CHANNELS).mapToObj(i -> app.newChannel()).toList();
        CountDownLatch ended = new CountDownLatch(CALLS);
        Random random = new Random(42);
        // The drain's deadline is about a grace period after the close below, which comes
        // when half the calls are out.
        long deadlineNanos = 0;
        CompletableFuture<Void> closed = null;

        for (ManagedChannel channel : channels) {
            ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP, CallOptions.DEFAULT, "0");
            okOnClients.incrementAndGet();
        }

        for (int i = 0; i < CALLS; i++) {
            if (i == CALLS / 2) {
                // The first half is at the server: then the drain starts, while the
                // second half is sent.
                GrpcApp.await(() -> tracker.inFlight() >= CALLS / 4, Duration.ofSeconds(20));
                closed = app.closeAsync();
                deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
            }
            ManagedChannel channel = channels.get(i % CHANNELS);
            // Around the drain's deadline, give or take 60 ms, or at any time before it.
            long aroundDeadline = deadlineNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(random.nextInt(1_500))
                    : deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(120) - 60);
            switch (i % 6) {
                case 0 -> unary(channel, CallOptions.DEFAULT, Integer.toString(random.nextInt(30)), ended);
                case 1 -> unary(channel,
                        CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, aroundDeadline), TimeUnit.NANOSECONDS),
                        "30000", ended);
                case 2 -> cancelled(unary(channel, CallOptions.DEFAULT, "30000", ended), aroundDeadline);
                case 3 -> cancelled(stream(channel, SlowService.STREAM, ended), aroundDeadline);
                case 4 -> stream(channel, SlowService.STREAM, ended);
                default -> {
                    if (i % 60 == 5) {
                        HealthGrpc.newStub(channel)
                            .watch(HealthCheckRequest.getDefaultInstance(),
                                    new Ending<>(ended, okOnClients, failedOnClients));
                    }
                    else {
                        unary(channel, CallOptions.DEFAULT, "30000", ended);
                    }
                }
            }
        }

        assertThat(ended.await(30, TimeUnit.SECONDS)).as("every call ended on the client").isTrue();
        // The close under way, waited for: a second close() would return at once, before
        // the drain has ended.
        closed.get(30, TimeUnit.SECONDS);
        GrpcApp.await(() -> tracker.inFlight() == 0, Duration.ofSeconds(10));
    }

    private ClientCall<String, String> unary(ManagedChannel channel, CallOptions options, String millis,
            CountDownLatch ended) {
        ClientCall<String, String> call = channel.newCall(SlowService.SLEEP, options);
        ClientCalls.asyncUnaryCall(call, millis, new Ending<>(ended, okOnClients, failedOnClients));
        return call;
    }

    private ClientCall<String, String> stream(ManagedChannel channel, io.grpc.MethodDescriptor<String, String> method,
            CountDownLatch ended) {
        ClientCall<String, String> call = channel.newCall(method, CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(call, "", new Ending<>(ended, okOnClients, failedOnClients));
        return call;
    }

    private void cancelled(ClientCall<?, ?> call, long afterNanos) {
        clients.schedule(() -> call.cancel("the client gives up", null), Math.max(0, afterNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Counts the call down however it ends on the client, and counts it in {@code ok} if
     * it ended with OK, else in {@code failed} by its status code.
     */
    private record Ending<T>(CountDownLatch ended, AtomicLong ok,
            Map<Status.Code, Integer> failed) implements StreamObserver<T> {

        @Override
        public void onNext(T value) {
        }

        @Override
        public void onError(Throwable t) {
            failed.merge(Status.fromThrowable(t).getCode(), 1, Integer::sum);
            ended.countDown();
        }

        @Override
        public void onCompleted() {
            ok.incrementAndGet();
            ended.countDown();
        }
    }

}
