package io.github.grpcgraceful.contract;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.RejectingInterceptor;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * Every call on a real server is counted once from start to close, whatever way it ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class InFlightCallsContract extends GrpcAppContract {

    private GrpcApp app;

    private InFlightCallTracker tracker;

    @BeforeAll
    void startOneApp() {
        app = startApp(false, GrpcAppContract.QUIET_HANDLER_FAILURES);
        tracker = app.context().getBean(InFlightCallTracker.class);
    }

    @AfterAll
    void closeTheApp() {
        app.close();
    }

    @Test
    void countsConcurrentCallsByMethodAndForgetsThemWhenTheyComplete() throws Exception {
        List<CompletableFuture<String>> replies = List.of(app.sleepCall(1500), app.sleepCall(1500),
                app.sleepCall(1500));

        assertThat(tracker.inFlight()).isEqualTo(3);
        assertThat(tracker.inFlight("test.Slow/Sleep")).isEqualTo(3);
        assertThat(tracker.inFlightByMethod()).isEqualTo(Map.of("test.Slow/Sleep", 3));
        List<InFlightCall> oldest = tracker.oldest(2);
        assertThat(oldest).hasSize(2)
            .allSatisfy(call -> assertThat(call.fullMethodName()).isEqualTo("test.Slow/Sleep"));
        assertThat(oldest.get(0).runningFor()).isGreaterThanOrEqualTo(oldest.get(1).runningFor());

        for (CompletableFuture<String> reply : replies) {
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("slept 1500");
        }
        await(() -> tracker.inFlight() == 0, Duration.ofSeconds(5));
        assertThat(tracker.inFlightByMethod()).isEmpty();
    }

    @Test
    void aCallWhoseHandlerThrowsIsNotLeaked() {
        long completedBefore = tracker.completedCalls();
        long failedBefore = tracker.failedCalls();

        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(app.newChannel(), SlowService.FAIL, CallOptions.DEFAULT, ""));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        // At least: a call of an earlier test may finish in this one's window (seen on
        // the servlet container).
        await(() -> tracker.inFlight("test.Slow/Fail") == 0 && tracker.completedCalls() >= completedBefore + 1,
                Duration.ofSeconds(5));
        assertThat(tracker.failedCalls()).as("completed, but not with OK").isGreaterThanOrEqualTo(failedBefore + 1);
    }

    @Test
    void aCallTheClientAbandonsIsNotLeaked() {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(app.newChannel(), SlowService.SLEEP,
                        CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), "30000"));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await(() -> tracker.inFlight("test.Slow/Sleep") == 0, Duration.ofSeconds(5));
    }

    @Test
    void aCallRejectedByAnotherInterceptorIsCountedAndFinished() {
        long completedBefore = tracker.completedCalls();
        long failedBefore = tracker.failedCalls();
        int receivedBefore = app.service().received();
        Metadata reject = new Metadata();
        reject.put(RejectingInterceptor.REJECT, "yes");
        Channel rejectingChannel = ClientInterceptors.intercept(app.newChannel(),
                MetadataUtils.newAttachHeadersInterceptor(reject));

        StatusRuntimeException rejected = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(rejectingChannel, SlowService.SLEEP, CallOptions.DEFAULT, "0"));

        assertThat(rejected.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(app.service().received()).isEqualTo(receivedBefore);
        await(() -> tracker.inFlight() == 0 && tracker.completedCalls() == completedBefore + 1, Duration.ofSeconds(5));
        assertThat(tracker.failedCalls()).as("completed, but not with OK").isEqualTo(failedBefore + 1);
    }

    @Test
    void healthServiceCallsAreCountedToo() {
        long completedBefore = tracker.completedCalls();
        long failedBefore = tracker.failedCalls();

        HealthGrpc.newBlockingStub(app.newChannel()).check(HealthCheckRequest.getDefaultInstance());

        await(() -> tracker.completedCalls() == completedBefore + 1, Duration.ofSeconds(5));
        assertThat(tracker.failedCalls()).isEqualTo(failedBefore);
    }

}
