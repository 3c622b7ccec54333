package io.github.grpcgraceful.boot4.servlet;

import static io.github.grpcgraceful.test.GrpcDrainAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.test.AutoConfigureGrpcDrain;
import io.github.grpcgraceful.test.DrainReport;
import io.github.grpcgraceful.test.GrpcDrain;
import io.github.grpcgraceful.test.ObservedCall;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;

/**
 * {@code grpc-graceful-shutdown-test} where Tomcat serves gRPC: an application's
 * {@code @SpringBootTest} drains on the manual clock, the call still running at the
 * deadline ends with {@code UNAVAILABLE}, and after a resume Tomcat serves gRPC again.
 */
@SpringBootTest(classes = Boot4GrpcApp.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.http2.enabled=true", "server.address=127.0.0.1" })
@AutoConfigureGrpcDrain
class ServletGrpcDrainInATestTest {

    @Autowired
    private GrpcDrain drain;

    @Autowired
    private WebServerApplicationContext context;

    @Test
    void aCallLongerThanTheGracePeriodEndsAtTheDeadlineAndTomcatServesAgain() {
        ManagedChannel channel = channel();
        try {
            ObservedCall<String> slow = new ObservedCall<>();
            ClientCalls.asyncUnaryCall(channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT), "60000", slow);
            drain.awaitInFlight(1);

            drain.start().advance(Duration.ofSeconds(30));
            DrainReport report = drain.awaitEnd();

            assertThat(slow).endedAtTheDeadline();
            assertThat(report.outcome()).isEqualTo(DrainOutcome.FORCED);
            assertThat(report.endedAtTheDeadlineByMethod()).containsExactly(Map.entry("test.Slow/Sleep", 1));
            assertThat(drain.readiness()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        }
        finally {
            channel.shutdownNow();
        }

        drain.resume();

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

    /** A channel to Tomcat's port now: after a resume it may listen on a new one. */
    private ManagedChannel channel() {
        return Grpc
            .newChannelBuilderForAddress("127.0.0.1", context.getWebServer().getPort(),
                    InsecureChannelCredentials.create())
            .build();
    }

}
