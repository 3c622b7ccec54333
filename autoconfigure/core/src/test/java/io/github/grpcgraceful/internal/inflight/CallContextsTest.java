package io.github.grpcgraceful.internal.inflight;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The context a tracked handler runs in, on a real Netty server: ending a call cancels
 * its handler's context at once, the drain signal finds the call (in a child context
 * too), nothing stays behind, and two trackers in one JVM share nothing.
 */
class CallContextsTest {

    private static final Context.Key<String> SET_BY_A_LATER_INTERCEPTOR = Context.key("later");

    private final SlowService service = new SlowService();

    private Server server;

    private ManagedChannel channel;

    private InFlightCallTracker start() throws Exception {
        InFlightCallTracker tracker = new InFlightCallTracker();
        server = serve(service, tracker);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        return tracker;
    }

    private static Server serve(SlowService service, InFlightCallTracker tracker) throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, childContext()))
            .intercept(tracker)
            .build()
            .start();
    }

    /**
     * Like most interceptors that add to the context: the handler then runs in a child of
     * the server's.
     */
    private static ServerInterceptor childContext() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(SET_BY_A_LATER_INTERCEPTOR, "set"), call,
                        headers, next);
            }
        };
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void endingACallCancelsItsHandlersContextAtOnce() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> sleeping = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT), "60000", sleeping);
        await(() -> service.running() == 1, Duration.ofSeconds(10));

        List<InFlightCall> ended = tracker.endAll(Status.UNAVAILABLE.withDescription("ended by the test"));

        assertThat(ended).extracting(InFlightCall::fullMethodName).containsExactly("test.Slow/Sleep");
        Status status = sleeping.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("ended by the test");
        // The handler waits on its context for 60 s: it returns now only because that
        // context was cancelled, by
        // the tracker (gRPC's own cancellation would say "RPC cancelled").
        await(() -> service.running() == 0, Duration.ofSeconds(5));
        assertThat(service.cancellationCauses()).singleElement()
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                    cause -> assertThat(cause.getStatus().getDescription()).isEqualTo("ended by the test"));
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.oldest(10)).isEmpty();
        assertThat(service.handlerErrors()).isEmpty();
    }

    @Test
    void endingACallCancelsItsHandlersContextAtOnceWhenAnInterceptorAheadOfTheTrackerGaveItAChildContext()
            throws Exception {
        InFlightCallTracker tracker = new InFlightCallTracker();
        // The last interceptor added runs first: the tracker sees the child context, not
        // the server's own.
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service)
            .intercept(tracker)
            .intercept(childContext())
            .build()
            .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        StreamProbe<String> sleeping = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT), "60000", sleeping);
        await(() -> service.running() == 1, Duration.ofSeconds(10));

        tracker.endAll(Status.UNAVAILABLE.withDescription("ended by the test"));

        assertThat(sleeping.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        await(() -> service.running() == 0, Duration.ofSeconds(5));
        assertThat(service.cancellationCauses()).singleElement()
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                    cause -> assertThat(cause.getStatus().getDescription()).isEqualTo("ended by the test"));
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
    }

    @Test
    void aListenerOnTheHandlersContextRunsWhenItsCallCompletes() throws Exception {
        start();

        // The handler waits 100 ms on a listener of its context, which stays registered
        // when the wait times out.
        assertThat(ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP, CallOptions.DEFAULT, "100"))
            .isEqualTo("slept 100");

        // The call's context is cancelled without a cause when the call completes.
        await(() -> service.cancellationCauses().size() == 1, Duration.ofSeconds(5));
        assertThat(service.cancellationCauses()).singleElement()
            .isInstanceOfSatisfying(IllegalStateException.class, cause -> assertThat(cause).hasMessage("no cause"));
    }

    @Test
    void theDrainSignalReachesAHandlerRunningInAChildContext() throws Exception {
        InFlightCallTracker tracker = start();
        StreamProbe<String> subscription = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(channel.newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT), "",
                subscription);
        subscription.awaitFirstMessage();

        List<InFlightCall> released = tracker.beginDrain(Status.UNAVAILABLE.withDescription("released"),
                MethodPatterns.none());

        assertThat(released).as("a call that asked for the signal is not released").isEmpty();
        assertThat(subscription.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(subscription.messages()).last().isEqualTo("goodbye");
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.completedCalls()).isEqualTo(1);
    }

    @Test
    void aCallWhoseHandlerAskedForTheSignalLeavesNothingBehindWhenItEnds() throws Exception {
        InFlightCallTracker tracker = start();
        ClientCall<String, String> call = channel.newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT);
        StreamProbe<String> subscription = new StreamProbe<>();
        ClientCalls.asyncServerStreamingCall(call, "", subscription);
        subscription.awaitFirstMessage();

        call.cancel("the client leaves", null);

        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.oldest(10)).isEmpty();
        assertThat(tracker.beginDrain(Status.UNAVAILABLE, MethodPatterns.none())).isEmpty();
        tracker.endDrain();
    }

    @Test
    void twoTrackersInOneJvmShareNothing() throws Exception {
        InFlightCallTracker draining = start();
        SlowService otherService = new SlowService();
        InFlightCallTracker other = new InFlightCallTracker();
        Server otherServer = serve(otherService, other);
        ManagedChannel otherChannel = NettyChannelBuilder.forAddress("127.0.0.1", otherServer.getPort())
            .usePlaintext()
            .build();
        try {
            StreamProbe<String> mine = new StreamProbe<>();
            ClientCalls.asyncServerStreamingCall(channel.newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT), "", mine);
            StreamProbe<String> theirs = new StreamProbe<>();
            ClientCalls.asyncServerStreamingCall(otherChannel.newCall(SlowService.SUBSCRIBE, CallOptions.DEFAULT), "",
                    theirs);
            mine.awaitFirstMessage();
            theirs.awaitFirstMessage();

            draining.beginDrain(Status.UNAVAILABLE, MethodPatterns.none());

            assertThat(mine.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
            assertThat(mine.messages()).last().isEqualTo("goodbye");
            assertThat(other.inFlight()).isEqualTo(1);
            assertThat(theirs.closed()).isNotDone();
            assertThat(theirs.messages()).doesNotContain("goodbye");
        }
        finally {
            draining.endDrain();
            otherChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            otherServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void concurrentCallsAreEachCountedOnceAndLeaveNothingBehind() throws Exception {
        InFlightCallTracker tracker = start();
        int threads = 8;
        int callsPerThread = 250;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> replies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                replies.add(clients.submit(() -> {
                    int answered = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        if ("slept 0".equals(ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP,
                                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "0"))) {
                            answered++;
                        }
                    }
                    return answered;
                }));
            }
            for (Future<Integer> reply : replies) {
                assertThat(reply.get(60, TimeUnit.SECONDS)).isEqualTo(callsPerThread);
            }
        }
        finally {
            clients.shutdownNow();
        }

        await(() -> tracker.completedCalls() == threads * callsPerThread, Duration.ofSeconds(5));
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracker.inFlightByMethod()).isEmpty();
        assertThat(tracker.oldest(10)).isEmpty();
    }

    @Test
    void finishedCallsLeaveNothingBehind() throws Exception {
        InFlightCallTracker tracker = start();
        for (int i = 0; i < 100; i++) {
            assertThat(ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP, CallOptions.DEFAULT, "0"))
                .isEqualTo("slept 0");
        }

        await(() -> tracker.completedCalls() == 100, Duration.ofSeconds(5));
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracker.oldest(10)).isEmpty();
        assertThat(tracker.endAll(Status.UNAVAILABLE)).isEmpty();
    }

    /**
     * Serves {@code service} in-process with a direct executor: a call made from a
     * handler runs on its thread.
     */
    private InFlightCallTracker serveInProcess(String name, ServerServiceDefinition service) throws Exception {
        InFlightCallTracker tracker = new InFlightCallTracker();
        server = InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(service)
            .intercept(tracker)
            .build()
            .start();
        return tracker;
    }

    @Test
    void aUnaryCallFindsItsSignalInItsMethodAndCanAnswerEarly() throws Exception {
        MethodDescriptor<String, String> poll = TextMethods.method("test.Poll", "Wait",
                MethodDescriptor.MethodType.UNARY);
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Poll")
            .addMethod(poll, ServerCalls.asyncUnaryCall((request, reply) ->
            // A long poll: no answer until something changes, or until the server drains.
            DrainSignal.current().onDrain(() -> {
                reply.onNext("no change, ask another server");
                reply.onCompleted();
            })))
            .build();
        String name = InProcessServerBuilder.generateName();
        InFlightCallTracker tracker = serveInProcess(name, service);
        channel = InProcessChannelBuilder.forName(name).build();
        StreamProbe<String> waiting = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(poll, CallOptions.DEFAULT), "since 42", waiting);
        await(() -> tracker.inFlight() == 1, Duration.ofSeconds(5));

        assertThat(tracker.beginDrain(Status.UNAVAILABLE, MethodPatterns.none()))
            .as("a call that asked for the signal is not released")
            .isEmpty();

        assertThat(waiting.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(waiting.messages()).containsExactly("no change, ask another server");
        await(() -> tracker.completedCalls() == 1, Duration.ofSeconds(5));
        tracker.endDrain();
    }

    @Test
    void aStreamingCallFindsItsSignalInItsCallbacks() throws Exception {
        MethodDescriptor<String, String> talk = TextMethods.method("test.Chat", "Talk",
                MethodDescriptor.MethodType.BIDI_STREAMING);
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Chat")
            .addMethod(talk, ServerCalls.asyncBidiStreamingCall(reply -> new StreamObserver<String>() {
                @Override
                public void onNext(String message) {
                    // Asked in a callback of the call (onMessage), not in the method.
                    DrainSignal.current().onDrain(() -> {
                        reply.onNext("goodbye");
                        reply.onCompleted();
                    });
                    reply.onNext("heard " + message);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    reply.onCompleted();
                }
            }))
            .build();
        String name = InProcessServerBuilder.generateName();
        InFlightCallTracker tracker = serveInProcess(name, service);
        channel = InProcessChannelBuilder.forName(name).build();
        StreamProbe<String> replies = new StreamProbe<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(talk, CallOptions.DEFAULT),
                replies);
        requests.onNext("hello");
        replies.awaitFirstMessage();

        assertThat(tracker.beginDrain(Status.UNAVAILABLE, MethodPatterns.none())).isEmpty();

        assertThat(replies.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(replies.messages()).containsExactly("heard hello", "goodbye");
        tracker.endDrain();
    }

    @Test
    void aCallServedInsideAnothersCallbackLeavesTheOuterCallTheThreadsCurrentOne() throws Exception {
        MethodDescriptor<String, String> outer = TextMethods.method("test.Nested", "Outer",
                MethodDescriptor.MethodType.UNARY);
        MethodDescriptor<String, String> inner = TextMethods.method("test.Nested", "Inner",
                MethodDescriptor.MethodType.UNARY);
        String name = InProcessServerBuilder.generateName();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        List<DrainSignal> signals = new CopyOnWriteArrayList<>();
        ServerServiceDefinition nested = ServerServiceDefinition.builder("test.Nested")
            .addMethod(inner, ServerCalls.asyncUnaryCall((request, reply) -> {
                threads.add(Thread.currentThread());
                signals.add(DrainSignal.current());
                reply.onNext("inner");
                reply.onCompleted();
            }))
            .addMethod(outer, ServerCalls.asyncUnaryCall((request, reply) -> {
                threads.add(Thread.currentThread());
                signals.add(DrainSignal.current());
                String answer = ClientCalls.blockingUnaryCall(channel, inner, CallOptions.DEFAULT, request);
                signals.add(DrainSignal.current());
                reply.onNext("outer, " + answer);
                reply.onCompleted();
            }))
            .build();
        InFlightCallTracker tracker = serveInProcess(name, nested);

        assertThat(ClientCalls.blockingUnaryCall(channel, outer, CallOptions.DEFAULT, "x")).isEqualTo("outer, inner");

        assertThat(threads).hasSize(2)
            .as("the inner call ran inside the outer's callback")
            .containsOnly(threads.get(0));
        DrainSignal outerBefore = signals.get(0);
        DrainSignal innerSignal = signals.get(1);
        DrainSignal outerAfter = signals.get(2);
        assertThat(innerSignal).isNotSameAs(outerBefore);
        assertThat(outerAfter).as("the outer call is current again after the inner one").isSameAs(outerBefore);
        tracker.beginDrain(Status.UNAVAILABLE, MethodPatterns.none());
        assertThat(DrainSignal.current().isDraining()).as("outside any call, the signal never comes").isFalse();
        tracker.endDrain();
        assertThat(tracker.completedCalls()).isEqualTo(2);
    }

}
