package io.github.grpcgraceful.internal.inflight;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.testing.StreamProbe;
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
import io.grpc.stub.StreamObserver;

/**
 * The threads inside a handler are found by their stacks, on a real in-process server:
 * the one a stuck handler holds, and no other.
 */
class HandlerThreadsTest {

    private static final MethodDescriptor<String, String> STUCK = TextMethods.method("test.Stuck", "Stuck",
            MethodDescriptor.MethodType.UNARY);

    private final CountDownLatch entered = new CountDownLatch(1);

    private final CountDownLatch release = new CountDownLatch(1);

    /** The thread the stuck handler runs on, once it runs. */
    private volatile Thread handlerThread;

    @Test
    void theThreadOfAHandlerAtWorkIsFoundWithItsStackAndNoOtherIs() throws Exception {
        assertThat(HandlerThreads.atWork()).as("before any call").isEmpty();
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name)
            .addService(ServerServiceDefinition.builder("test.Stuck")
                .addMethod(STUCK, ServerCalls.asyncUnaryCall(this::stuck))
                .build())
            .intercept(new InFlightCallTracker())
            .build()
            .start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try {
            StreamProbe<String> client = new StreamProbe<>();
            ClientCalls.asyncUnaryCall(channel.newCall(STUCK, CallOptions.DEFAULT), "x", client);
            assertThat(this.entered.await(10, TimeUnit.SECONDS)).isTrue();
            // Between its signal and its wait the handler still runs.
            await(() -> this.handlerThread.getState() == Thread.State.WAITING, Duration.ofSeconds(10));

            Map<Thread, StackTraceElement[]> atWork = HandlerThreads.atWork();

            assertThat(atWork).hasSize(1);
            Map.Entry<Thread, StackTraceElement[]> handler = atWork.entrySet().iterator().next();
            assertThat(Arrays.stream(handler.getValue()).map(StackTraceElement::getMethodName)).contains("stuck");
            assertThat(HandlerThreads.describe(handler.getKey(), handler.getValue()))
                .startsWith("\"" + handler.getKey().getName() + "\" WAITING")
                .contains("\n\tat ")
                .contains(HandlerThreadsTest.class.getName() + ".stuck(");
            this.release.countDown();
            client.closed().get(10, TimeUnit.SECONDS);
        }
        finally {
            this.release.countDown();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void stuck(String request, StreamObserver<String> responses) {
        this.handlerThread = Thread.currentThread();
        this.entered.countDown();
        try {
            this.release.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        responses.onNext("released");
        responses.onCompleted();
    }

}
