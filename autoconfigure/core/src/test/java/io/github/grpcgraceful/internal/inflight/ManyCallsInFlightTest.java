package io.github.grpcgraceful.internal.inflight;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.InFlightCall;
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
 * Many calls in flight at once, started on one thread (an in-process server and channel
 * with direct executors), some finishing while others start: the tracker's set of calls
 * in flight grows and shrinks, and the drain still finds every call in flight, and only
 * those.
 */
class ManyCallsInFlightTest {

    private static final MethodDescriptor<String, String> HOLD = TextMethods.method("test.Hold", "Wait",
            MethodDescriptor.MethodType.UNARY);

    /** The replies of the calls the server holds, by request. */
    private final Map<String, StreamObserver<String>> held = new ConcurrentHashMap<>();

    private Server server;

    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void theDrainFindsEveryCallInFlightAfterManyCameAndWent() throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Hold")
            .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, reply) -> held.put(request, reply)))
            .build();
        InFlightCallTracker tracker = new InFlightCallTracker();
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(service)
            .intercept(tracker)
            .build()
            .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();

        List<StreamProbe<String>> first = call(0, 40);
        assertThat(held).as("every call reached its handler, on this thread").hasSize(40);
        assertThat(tracker.inFlight()).isEqualTo(40);
        for (int i = 0; i < 40; i += 2) {
            answer(i);
        }
        await(() -> tracker.completedCalls() == 20, Duration.ofSeconds(5));
        // Ages are kept to about 1 ms: the second batch is clearly younger.
        Thread.sleep(100);
        List<StreamProbe<String>> second = call(40, 50);
        assertThat(held).hasSize(30);

        assertThat(tracker.inFlight()).isEqualTo(30);
        assertThat(tracker.oldest(100)).as("the calls in flight, and only those").hasSize(30);
        List<InFlightCall> ended = tracker.endAll(Status.UNAVAILABLE.withDescription("ended by the test"));

        assertThat(ended).hasSize(30);
        assertThat(ended).extracting(InFlightCall::runningFor).isSortedAccordingTo((a, b) -> b.compareTo(a));
        Duration youngestOfTheFirst = ended.get(19).runningFor();
        assertThat(ended.subList(20, 30))
            .allSatisfy(call -> assertThat(call.runningFor()).isLessThan(youngestOfTheFirst));
        for (int i = 0; i < 40; i++) {
            Status.Code expected = i % 2 == 0 ? Status.Code.OK : Status.Code.UNAVAILABLE;
            assertThat(first.get(i).closed().get(5, TimeUnit.SECONDS).getCode()).as("call %d", i).isEqualTo(expected);
        }
        for (StreamProbe<String> call : second) {
            assertThat(call.closed().get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.oldest(100)).isEmpty();
        assertThat(tracker.completedCalls()).isEqualTo(20);
        assertThat(tracker.endedCalls()).isEqualTo(30);
        assertThat(tracker.trackedCalls()).isEqualTo(50);
    }

    /**
     * Starts calls {@code from} to {@code to} (exclusive), each held by the server until
     * answered.
     */
    private List<StreamProbe<String>> call(int from, int to) {
        List<StreamProbe<String>> calls = new ArrayList<>();
        for (int i = from; i < to; i++) {
            StreamProbe<String> probe = new StreamProbe<>();
            ClientCalls.asyncUnaryCall(channel.newCall(HOLD, CallOptions.DEFAULT), Integer.toString(i), probe);
            calls.add(probe);
        }
        return calls;
    }

    private void answer(int call) {
        StreamObserver<String> reply = held.remove(Integer.toString(call));
        reply.onNext("answered");
        reply.onCompleted();
    }

}
