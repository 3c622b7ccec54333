package io.github.grpcgraceful.internal.drain;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/**
 * An application that closes itself from a gRPC handler (as
 * {@code SpringApplication.exit} in an admin method does) runs the drain on that
 * handler's thread, on a real Netty server: the drain says so, does not wait for the call
 * that cannot finish before it, and does not blame that handler for ignoring
 * cancellation.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrainFromAHandlerTest {

    private static final MethodDescriptor<String, String> EXIT = TextMethods.method("test.Admin", "Exit",
            MethodDescriptor.MethodType.UNARY);

    private final InFlightCallTracker tracker = new InFlightCallTracker();

    private final SlowService slow = new SlowService();

    private GrpcServerDrainer drainer;

    private Server server;

    private ManagedChannel channel;

    /**
     * A server whose {@code test.Admin/Exit} drains it from the handler, after replying
     * if asked {@code reply}.
     */
    private void start(Duration gracePeriod) throws Exception {
        drainer = GrpcServerDrainer.forServers(tracker,
                () -> new DrainPolicy(Duration.ZERO, gracePeriod, MethodPatterns.none()), (event) -> {
                }, true, List.of());
        ServerServiceDefinition admin = ServerServiceDefinition.builder("test.Admin")
            .addMethod(EXIT, ServerCalls.asyncUnaryCall((request, observer) -> {
                if (request.equals("reply")) {
                    observer.onNext("bye");
                    observer.onCompleted();
                }
                drainer.drain();
            }))
            .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(admin)
            .addService(slow)
            .intercept(tracker)
            .build()
            .start();
        drainer.register(server, null);
        drainer.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aHandlerThatRepliedThenClosedTheApplicationDoesNotHoldTheDrainUntilTheDeadline(CapturedOutput output)
            throws Exception {
        start(Duration.ofSeconds(60));
        StreamProbe<String> other = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT), "300", other);
        await(() -> slow.running() == 1, Duration.ofSeconds(10));
        StreamProbe<String> exit = new StreamProbe<>();

        ClientCalls.asyncUnaryCall(channel.newCall(EXIT, CallOptions.DEFAULT), "reply", exit);

        assertThat(exit.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(exit.messages()).containsExactly("bye");
        // The other call completes; the drain ends then, not after its 60 s grace period.
        assertThat(other.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        await(() -> drainer.status().state() == DrainState.TERMINATED, Duration.ofSeconds(20));
        assertThat(output).contains("The application's close was started by the handler of a call to test.Admin/Exit")
            .doesNotContain("grace period 1m expired");
        assertThat(drainer.status().completedCalls()).isEqualTo(1);
    }

    @Test
    void aHandlerThatClosedTheApplicationWithoutReplyingIsEndedAtTheDeadlineAndNotBlamed(CapturedOutput output)
            throws Exception {
        start(Duration.ofMillis(200));
        StreamProbe<String> exit = new StreamProbe<>();

        ClientCalls.asyncUnaryCall(channel.newCall(EXIT, CallOptions.DEFAULT), "no reply", exit);

        Status status = exit.closed().get(20, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server shutting down: grace period 200ms expired");
        await(() -> drainer.status().state() == DrainState.TERMINATED, Duration.ofSeconds(20));
        assertThat(output).contains("The application's close was started by the handler of a call to test.Admin/Exit")
            .contains("ended 1 call with UNAVAILABLE: test.Admin/Exit")
            .contains("The handler of the call to test.Admin/Exit that started the application's close returns")
            .doesNotContain("ignore cancellation");
    }

}
