package io.github.grpcgraceful.boot4;

import static io.github.grpcgraceful.test.GrpcDrainAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.test.AutoConfigureGrpcDrain;
import io.github.grpcgraceful.test.DrainReport;
import io.github.grpcgraceful.test.GrpcDrain;
import io.github.grpcgraceful.test.ObservedCall;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;

/**
 * {@code grpc-graceful-shutdown-test} on Spring Boot 4.1's own gRPC server (and, where
 * this module's tests run on Spring Boot 4.0, on Spring gRPC 1.0's): an application's
 * {@code @SpringBootTest} drains its real server on the manual clock, a 30 s grace period
 * passes in no time, and the server serves again.
 */
@SpringBootTest(classes = Boot4GrpcApp.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "grpc.shutdown.drain-delay=5s")
@AutoConfigureGrpcDrain
class Boot4GrpcDrainInATestTest {

    @DynamicPropertySource
    static void loopbackOnAFreePort(DynamicPropertyRegistry registry) {
        for (String property : Boot4GrpcApp.LOOPBACK_ON_A_FREE_PORT) {
            String[] nameAndValue = property.split("=", 2);
            registry.add(nameAndValue[0], () -> nameAndValue[1]);
        }
    }

    @Autowired
    private GrpcDrain drain;

    @Autowired
    private GrpcServerDrainer drainer;

    @Test
    void aCallLongerThanTheGracePeriodEndsAtTheDeadlineOnTheManualClockAndTheServerServesAgain() throws Exception {
        ManagedChannel channel = channel();
        try {
            ObservedCall<String> slow = new ObservedCall<>();
            ClientCalls.asyncUnaryCall(channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT), "60000", slow);
            drain.awaitInFlight(1);
            long start = System.nanoTime();

            drain.start().advance(Duration.ofSeconds(30));
            DrainReport report = drain.awaitEnd();

            assertThat(slow).endedAtTheDeadline();
            assertThat(report.outcome()).isEqualTo(DrainOutcome.FORCED);
            // 30 s, and the 1 s flush of the ended call if its end had not come through
            // yet.
            assertThat(report.took()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(31));
            assertThat(report.endedAtTheDeadlineByMethod()).containsExactly(Map.entry("test.Slow/Sleep", 1));
            assertThat(drain.readiness()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the grace period took no real 30 s")
                .isLessThan(Duration.ofSeconds(15));
        }
        finally {
            channel.shutdownNow();
        }

        drain.resume();

        assertThat(drain.readiness()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        ManagedChannel again = channel();
        try {
            assertThat(ClientCalls.blockingUnaryCall(again, SlowService.SLEEP,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "0"))
                .isEqualTo("slept 0");
        }
        finally {
            again.shutdownNow();
        }
    }

    @Test
    void duringTheDrainDelayGrpcHealthSaysNotServingAndNewCallsAreStillServed() {
        ManagedChannel channel = channel();
        try {
            drain.startWithDrainDelay();

            assertThat(HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "0"))
                .isEqualTo("slept 0");

            drain.endDrainDelay();
            DrainReport report = drain.awaitEnd();

            assertThat(report.delay().end()).isEqualTo(DrainDelay.End.FIXED);
            assertThat(report.took()).isEqualTo(Duration.ofSeconds(5));
            assertThat(report.completed()).as("the health Check and the call served during the delay").isEqualTo(2);
        }
        finally {
            channel.shutdownNow();
            drain.awaitEnd();
            drain.resume();
        }
    }

    /**
     * A channel to the server's port now: a server on port 0 gets a new one on resume.
     */
    private ManagedChannel channel() {
        return Grpc
            .newChannelBuilderForAddress("127.0.0.1", drainer.servers().get(0).getPort(),
                    InsecureChannelCredentials.create())
            .build();
    }

}
