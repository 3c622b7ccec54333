package io.github.grpcgraceful.netdevh;

import static io.github.grpcgraceful.testing.TestGrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.TestGrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApps;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.MeterRegistry;
import net.devh.boot.grpc.server.event.GrpcServerShutdownEvent;
import net.devh.boot.grpc.server.event.GrpcServerTerminatedEvent;

/**
 * The drain as net.devh's glue shapes it: net.devh's own events, log and grace period,
 * its in-process server.
 */
@ExtendWith(OutputCaptureExtension.class)
class NetDevhGlueTest {

    @AutoClose
    private final TestGrpcApps apps = new TestGrpcApps();

    @Test
    void netDevhsOwnShutdownEventsAndLogStillComeInTheirUsualOrder(CapturedOutput output) throws Exception {
        TestGrpcApp app = apps.start();
        CompletableFuture<String> reply = app.sleepCall(500);

        app.close();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 500");
        assertThat(app.shutdownEvents()).extracting(Object::getClass)
            .containsExactly(GrpcDrainStartedEvent.class, GrpcServerShutdownEvent.class,
                    GrpcServerTerminatedEvent.class, GrpcDrainCompletedEvent.class);
        assertThat(output).containsOnlyOnce("Completed gRPC server shutdown");
    }

    @Test
    void netDevhsShorterGracePeriodNoLongerCutsCallsTheDrainWaitsFor(CapturedOutput output) throws Exception {
        TestGrpcApp app = apps.start("grpc.server.shutdown-grace-period=1s", "grpc.shutdown.grace-period=20s");
        CompletableFuture<String> reply = app.sleepCall(2500);

        app.closeAsync();

        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 2500");
        assertThat(output).contains("'grpc.server.shutdown-grace-period' (1s) is not used while the graceful shutdown "
                + "is on: 'grpc.shutdown.grace-period' decides how long calls may run on");
    }

    @Test
    void anInProcessServerBesideNettySharesTheGaugesAndIsDrainedToo(CapturedOutput output) throws Exception {
        TestGrpcApp app = apps.start("grpc.server.in-process-name=observability-test");
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);
        ManagedChannel inProcess = InProcessChannelBuilder.forName("observability-test").build();
        try {
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(
                    () -> ClientCalls.blockingUnaryCall(inProcess, SlowService.SLEEP, CallOptions.DEFAULT, "1000"));
            await(() -> app.service().received() == 1, Duration.ofSeconds(5));

            assertThat(registry.find("grpc.server.calls.active").tag("method", "Sleep").gauges()).hasSize(1);
            assertThat(registry.get("grpc.server.calls.active").tag("method", "Sleep").gauge().value()).isEqualTo(1.0);
            app.close();

            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1000");
            assertThat(output).doesNotContain("already registered").contains("2 gRPC servers drained in");
        }
        finally {
            inProcess.shutdownNow();
        }
    }

}
