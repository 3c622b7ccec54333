package io.github.grpcgraceful.sample.greeter;

import static io.github.grpcgraceful.test.GrpcDrainAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.sample.GrpcTestSupport;
import io.github.grpcgraceful.sample.stream.Greeting;
import io.github.grpcgraceful.sample.stream.GreetingStreamGrpc;
import io.github.grpcgraceful.sample.stream.SubscribeRequest;
import io.github.grpcgraceful.test.AutoConfigureGrpcDrain;
import io.github.grpcgraceful.test.DrainReport;
import io.github.grpcgraceful.test.GrpcDrain;
import io.github.grpcgraceful.test.ObservedCall;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import net.devh.boot.grpc.server.service.GrpcService;

/**
 * The sample's own services drained in its own test, as a user of
 * {@code grpc-graceful-shutdown-test} writes it: the real server on a free port, a real
 * client, the default 30 s grace period passed on the drain's manual clock, and the
 * server serving again afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "grpc.server.port=0", "grpc.server.address=127.0.0.1", "sample.greeter.max-duration=10m",
                "grpc.shutdown.drain-delay=5s" })
@AutoConfigureGrpcDrain
@Import({ GrpcTestSupport.class, GreeterDrainTest.StubbornService.class })
class GreeterDrainTest {

    @Autowired
    private GrpcDrain drain;

    @Autowired
    private GrpcTestSupport grpc;

    @Autowired
    private StubbornService stubborn;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = grpc.newChannel();
    }

    @AfterEach
    void serveAgain() {
        channel.shutdownNow();
        if (drain.status().state() != DrainState.SERVING) {
            drain.awaitEnd();
            drain.resume();
        }
    }

    @Test
    void aHelloLongerThanTheGracePeriodEndsAtTheDeadlineAndTheServerServesAgain() throws Exception {
        ObservedCall<HelloReply> slow = new ObservedCall<>();
        GreeterGrpc.newStub(channel).sayHello(request("slow", "5m"), slow);
        ObservedCall<HealthCheckResponse> watch = new ObservedCall<>();
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), watch);
        // Its first answer comes once its handler runs: drained earlier, it would be the
        // drain's NOT_SERVING.
        watch.awaitMessages(1);
        drain.awaitInFlight(2);

        drain.start().advance(Duration.ofSeconds(30));
        DrainReport report = drain.awaitEnd();

        assertThat(slow).endedAtTheDeadline();
        assertThat(watch).wasReleased();
        assertThat(watch.messages()).extracting(HealthCheckResponse::getStatus)
            .containsExactly(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
        assertThat(drain.readiness()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        assertThat(report.outcome()).isEqualTo(DrainOutcome.FORCED);
        // 30 s, and the 1 s flush of the ended call if its end had not come through yet.
        assertThat(report.took()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(31));
        assertThat(report.endedAtTheDeadlineByMethod()).containsExactly(Map.entry("Greeter/SayHello", 1));
        assertThat(report.releasedByMethod()).containsOnlyKeys("grpc.health.v1.Health/Watch");

        drain.resume();

        assertThat(drain.readiness()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        ManagedChannel again = grpc.newChannel();
        try {
            assertThat(GreeterGrpc.newBlockingStub(again)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .sayHello(request("again", ""))
                .getMessage()).isEqualTo("Hello again");
        }
        finally {
            again.shutdownNow();
        }
    }

    @Test
    void aSubscriberGetsItsGoodbyeThroughTheDrainSignalAndItsStreamCompletesWithOk() {
        ObservedCall<Greeting> subscriber = new ObservedCall<>();
        GreetingStreamGrpc.newStub(channel)
            .subscribe(SubscribeRequest.newBuilder().setName("ada").setInterval("1m").build(), subscriber);
        drain.awaitInFlight(1);

        drain.start();
        DrainReport report = drain.awaitEnd();

        assertThat(subscriber).completedWithOk();
        List<Greeting> greetings = subscriber.messages();
        assertThat(greetings.get(greetings.size() - 1).getMessage())
            .isEqualTo("Goodbye ada: the server is shutting down");
        assertThat(report.outcome()).isEqualTo(DrainOutcome.COMPLETED);
        assertThat(report.took()).as("no time passed on the drain's clock").isZero();
        assertThat(report.released()).as("it said goodbye itself").isEmpty();
        assertThat(report.completed()).isEqualTo(1);
    }

    @Test
    void duringTheDrainDelayHealthSaysNotServingAndNewCallsAreStillServed() {
        drain.startWithDrainDelay();

        assertThat(HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance())
            .getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(drain.readiness()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        assertThat(GreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHello(request("during the delay", ""))
            .getMessage()).isEqualTo("Hello during the delay");

        drain.endDrainDelay();
        DrainReport report = drain.awaitEnd();

        assertThat(report.delay().end()).isEqualTo(DrainDelay.End.FIXED);
        assertThat(report.took()).as("the drain-delay, on the drain's clock").isEqualTo(Duration.ofSeconds(5));
        assertThat(report.completed()).as("the health Check and the call served during the delay").isEqualTo(2);
    }

    @Test
    void aHandlerThatIgnoresCancellationIsStillAtWorkWhenTheDrainEnds() {
        ObservedCall<HelloReply> stuck = new ObservedCall<>();
        ClientCalls.asyncUnaryCall(channel.newCall(StubbornService.HOLD, CallOptions.DEFAULT), request("stuck", ""),
                stuck);
        drain.awaitInFlight(1);
        try {
            drain.start().advance(Duration.ofSeconds(30));
            DrainReport report = drain.awaitEnd();

            assertThat(stuck).as("its client is told at the deadline all the same").endedAtTheDeadline();
            assertThat(report.handlersStillAtWork()).singleElement()
                .asString()
                .contains(StubbornService.class.getName());
        }
        finally {
            stubborn.release();
        }
    }

    private static HelloRequest request(String name, String duration) {
        return HelloRequest.newBuilder().setName(name).setDuration(duration).build();
    }

    /**
     * A handler as a user may write one by mistake: it waits for something that never
     * comes and ignores its call's cancellation.
     */
    @GrpcService
    static class StubbornService implements BindableService {

        static final MethodDescriptor<HelloRequest, HelloReply> HOLD = MethodDescriptor
            .<HelloRequest, HelloReply>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Stubborn/Hold")
            .setRequestMarshaller(ProtoUtils.marshaller(HelloRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(HelloReply.getDefaultInstance()))
            .build();

        private final CountDownLatch release = new CountDownLatch(1);

        /** Lets the stuck handler go, as the test ends. */
        void release() {
            release.countDown();
        }

        @Override
        public ServerServiceDefinition bindService() {
            return ServerServiceDefinition.builder("test.Stubborn")
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, reply) -> {
                    awaitIgnoringInterrupts();
                    reply.onNext(HelloReply.newBuilder().setMessage("too late").build());
                    reply.onCompleted();
                }))
                .build();
        }

        private void awaitIgnoringInterrupts() {
            boolean released = false;
            while (!released) {
                try {
                    released = release.await(1, TimeUnit.MINUTES);
                }
                catch (InterruptedException e) {
                    // Ignored, as the mistake goes.
                }
            }
        }

    }

}
