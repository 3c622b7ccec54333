package io.github.grpcgraceful.testing;

import static io.github.grpcgraceful.testing.GrpcApp.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.grpcgraceful.internal.engine.ServersTarget;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
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
 * An in-process server behind a tracker whose handlers hold their calls open until the
 * drain ends them: {@code test.Hold/Hold} (unary) and {@code test.Hold/Watch}
 * (server-streaming), registered with a {@link ServersTarget} for an engine to drain. For
 * the tests of the drain's participants, which watch what a drain of such calls tells
 * them.
 */
public final class HeldCallsServer implements AutoCloseable {

    public static final MethodDescriptor<String, String> HOLD = TextMethods.method("test.Hold", "Hold",
            MethodDescriptor.MethodType.UNARY);

    public static final MethodDescriptor<String, String> WATCH = TextMethods.method("test.Hold", "Watch",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    private final Map<String, StreamObserver<String>> held = new ConcurrentHashMap<>();

    private final ServersTarget target = new ServersTarget();

    private final Server server;

    private final ManagedChannel channel;

    public HeldCallsServer(InFlightCallTracker tracker) throws IOException {
        String name = InProcessServerBuilder.generateName();
        this.server = InProcessServerBuilder.forName(name)
            .addService(ServerServiceDefinition.builder("test.Hold")
                .addMethod(HOLD, ServerCalls.asyncUnaryCall(this.held::put))
                .addMethod(WATCH, ServerCalls.asyncServerStreamingCall(this.held::put))
                .build())
            .intercept(tracker)
            .build()
            .start();
        this.channel = InProcessChannelBuilder.forName(name).build();
        this.target.register(this.server, null);
    }

    /** What a drain engine drains: this server. */
    public ServersTarget target() {
        return this.target;
    }

    /**
     * Calls {@code method} with {@code request} and returns once its handler holds it.
     */
    public StreamProbe<String> call(MethodDescriptor<String, String> method, String request) {
        StreamProbe<String> client = new StreamProbe<>();
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            ClientCalls.asyncUnaryCall(this.channel.newCall(method, CallOptions.DEFAULT), request, client);
        }
        else {
            ClientCalls.asyncServerStreamingCall(this.channel.newCall(method, CallOptions.DEFAULT), request, client);
        }
        await(() -> this.held.containsKey(request), Duration.ofSeconds(10));
        return client;
    }

    @Override
    public void close() throws InterruptedException {
        this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

}
