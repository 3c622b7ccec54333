package io.github.grpcgraceful.internal.inflight;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.testing.RejectingInterceptor;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A call the drain ends or releases is over for its handler the way gRPC tells handlers:
 * on a real Netty server, with handlers that return at once and keep their call open (as
 * grpc-kotlin's coroutines and reactive bridges do), the cancel handler runs and the call
 * says it is cancelled, the drain signal is found through the call's context on another
 * thread, and the counts tell calls that completed with OK from those that did not.
 */
class HandlersLearnTheEndTest {

    private static final MethodDescriptor<String, String> HOLD = TextMethods.method("test.Hold", "Hold",
            MethodDescriptor.MethodType.UNARY);

    private static final MethodDescriptor<String, String> WATCH = TextMethods.method("test.Hold", "Watch",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    private static final MethodDescriptor<String, String> ECHO = TextMethods.method("test.Hold", "Echo",
            MethodDescriptor.MethodType.UNARY);

    /**
     * The handlers' observers, by request, and what each learnt: its cancel handler ran.
     */
    private final Map<String, ServerCallStreamObserver<String>> held = new ConcurrentHashMap<>();

    private final List<String> cancelled = new CopyOnWriteArrayList<>();

    private final Map<String, CompletableFuture<DrainSignal>> signals = new ConcurrentHashMap<>();

    private final ExecutorService elsewhere = Executors.newSingleThreadExecutor();

    private Server server;

    private ManagedChannel channel;

    private InFlightCallTracker start() throws Exception {
        InFlightCallTracker tracker = new InFlightCallTracker();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service())
            .intercept(new RejectingInterceptor())
            .intercept(tracker)
            .build()
            .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        return tracker;
    }

    /**
     * Handlers that keep the call and return: the call goes on until someone completes or
     * cancels it.
     */
    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("test.Hold")
            .addMethod(HOLD, ServerCalls.asyncUnaryCall(this::hold))
            .addMethod(WATCH, ServerCalls.asyncServerStreamingCall(this::hold))
            .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, observer) -> {
                observer.onNext(request);
                observer.onCompleted();
            }))
            .build();
    }

    private void hold(String request, StreamObserver<String> observer) {
        ServerCallStreamObserver<String> call = (ServerCallStreamObserver<String>) observer;
        call.setOnCancelHandler(() -> cancelled.add(request));
        held.put(request, call);
        // Where a coroutine or a wrapped task runs: not the handler's thread, but the
        // call's context.
        CompletableFuture<DrainSignal> signal = signals.computeIfAbsent(request, r -> new CompletableFuture<>());
        Runnable find = () -> signal.complete(DrainSignal.current());
        elsewhere.execute(Context.current().wrap(find));
    }

    @AfterEach
    void stop() throws InterruptedException {
        elsewhere.shutdownNow();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCallEndedAtTheDeadlineRunsItsHandlersCancelHandler() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> client = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(HOLD, CallOptions.DEFAULT), "unary", client);
        await(() -> held.containsKey("unary"), Duration.ofSeconds(10));

        assertThat(tracker.endAll(Status.UNAVAILABLE.withDescription("grace period expired"))).hasSize(1);

        Status status = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("grace period expired");
        await(() -> cancelled.contains("unary"), Duration.ofSeconds(10));
        assertThat(held.get("unary").isCancelled()).isTrue();
        // A reply after the end reaches no one and fails nothing.
        held.get("unary").onNext("too late");
        held.get("unary").onCompleted();
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(client.messages()).isEmpty();
        assertThat(tracker.endedCalls()).isEqualTo(1);
        assertThat(tracker.completedCalls()).isZero();
    }

    @Test
    void aReleasedLongLivedStreamRunsItsHandlersCancelHandler() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> client = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(channel.newCall(WATCH, CallOptions.DEFAULT), "stream", client);
        await(() -> held.containsKey("stream"), Duration.ofSeconds(10));

        assertThat(tracker.beginDrain(Status.UNAVAILABLE.withDescription("released"),
                MethodPatterns.of(List.of("test.Hold/Watch"))))
            .hasSize(1);

        assertThat(client.closed().get(10, TimeUnit.SECONDS).getDescription()).isEqualTo("released");
        await(() -> cancelled.contains("stream"), Duration.ofSeconds(10));
        assertThat(held.get("stream").isCancelled()).isTrue();
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.releasedCalls()).isEqualTo(1);
        tracker.endDrain();
    }

    @Test
    void aCallTheHandlerCompletedIsNotCancelledForIt() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> client = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(HOLD, CallOptions.DEFAULT), "answered", client);
        await(() -> held.containsKey("answered"), Duration.ofSeconds(10));

        held.get("answered").onNext("hello");
        held.get("answered").onCompleted();

        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(cancelled).isEmpty();
        assertThat(tracker.completedCalls()).isEqualTo(1);
        assertThat(tracker.failedCalls()).isZero();
    }

    @Test
    void theDrainSignalIsFoundThroughTheCallsContextOnAnotherThread() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> client = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(channel.newCall(WATCH, CallOptions.DEFAULT), "signalled", client);
        DrainSignal signal = signals.computeIfAbsent("signalled", request -> new CompletableFuture<>())
            .get(10, TimeUnit.SECONDS);
        assertThat(signal).isInstanceOf(TrackedCall.class);
        CompletableFuture<Void> told = new CompletableFuture<>();
        signal.onDrain(() -> told.complete(null));
        assertThat(signal.isDraining()).isFalse();

        assertThat(tracker.beginDrain(Status.UNAVAILABLE, MethodPatterns.none()))
            .as("a call that asked for the signal is not released")
            .isEmpty();

        told.get(10, TimeUnit.SECONDS);
        assertThat(signal.isDraining()).isTrue();
        // Outside any call's context: a signal that never comes.
        assertThat(elsewhere.submit(() -> DrainSignal.current().isDraining()).get(10, TimeUnit.SECONDS)).isFalse();
        tracker.endDrain();
    }

    @Test
    void theCountsTellCallsThatCompletedWithOkFromThoseThatDidNot() throws Exception {
        InFlightCallTracker tracker = start();
        assertThat(ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, "ok")).isEqualTo("ok");
        Metadata reject = new Metadata();
        reject.put(RejectingInterceptor.REJECT, "yes");
        StatusRuntimeException rejected = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(
                        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(reject)), ECHO,
                        CallOptions.DEFAULT, "no"));
        assertThat(rejected.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        ClientCall<String, String> leaving = channel.newCall(HOLD, CallOptions.DEFAULT);
        ClientCalls.asyncUnaryCall(leaving, "leaving", new StreamProbe<>());
        await(() -> held.containsKey("leaving"), Duration.ofSeconds(10));
        leaving.cancel("the client leaves", null);

        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.completedCalls()).isEqualTo(3);
        assertThat(tracker.failedCalls()).as("the rejected call and the one its client cancelled").isEqualTo(2);
        assertThat(tracker.trackedCalls()).isEqualTo(3);
    }

}
