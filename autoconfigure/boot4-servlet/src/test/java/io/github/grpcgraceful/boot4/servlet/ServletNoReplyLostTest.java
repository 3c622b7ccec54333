package io.github.grpcgraceful.boot4.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.catalina.Container;
import org.apache.catalina.core.StandardContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;

import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.internal.engine.ContainerExchanges;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * On gRPC over Tomcat a handler's close is not the moment its reply is on the wire: the
 * container still writes it on a thread of its own. Round after round, short calls
 * complete while the drain starts and all together at its end (the drain ends with them),
 * and then Tomcat shuts down. The drain ends only once Tomcat has written every gRPC
 * response to its end (no exchange is open, none is still in its async cycle, when the
 * drain reports), and every call the starter counted as completed with {@code OK} reached
 * its client with {@code OK}.
 */
class ServletNoReplyLostTest {

    private static final int ROUNDS = 8;

    private static final int CALLS = 48;

    @Test
    void everyReplyCountedCompletedReachesItsClient() throws Exception {
        List<String> unfinishedAtTheDrainsEnd = new CopyOnWriteArrayList<>();
        AtomicInteger roundsWithExchangesCounted = new AtomicInteger();
        long countedOk = 0;
        long clientOk = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Boot4GrpcApp app = Boot4GrpcApp.startServlet("grpc.shutdown.grace-period=10s");
            try {
                InFlightCallTracker tracker = app.context().getBean(InFlightCallTracker.class);
                StandardContext tomcat = tomcatContext(app);
                int thisRound = round;
                ContainerExchanges exchanges = app.context().getBean(ContainerExchanges.class);
                app.context().addApplicationListener((ApplicationListener<GrpcDrainStartedEvent>) (started) -> {
                    if (exchanges.open() > 0) {
                        roundsWithExchangesCounted.incrementAndGet();
                    }
                });
                app.context().addApplicationListener((ApplicationListener<GrpcDrainCompletedEvent>) (drained) -> {
                    long inProgress = tomcat.getInProgressAsyncCount();
                    if (inProgress > 0 || exchanges.open() > 0) {
                        unfinishedAtTheDrainsEnd
                            .add("round " + thisRound + ": " + inProgress + " async, " + exchanges.open() + " open");
                    }
                });
                List<ManagedChannel> channels = List.of(app.newChannel(), app.newChannel());
                for (ManagedChannel channel : channels) {
                    ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP, CallOptions.DEFAULT, "0");
                }
                // A client may have its reply before the server has counted its call.
                GrpcApp.await(() -> tracker.inFlight() == 0, Duration.ofSeconds(10));
                long okBefore = tracker.completedCalls() - tracker.failedCalls();
                List<CompletableFuture<Status>> calls = new ArrayList<>();
                for (int i = 0; i < CALLS; i++) {
                    // Half end while the drain starts, half together at its end.
                    String millis = (i % 2 == 0) ? Integer.toString(i % 10) : "150";
                    calls.add(unary(channels.get(i % channels.size()), millis));
                    if (i == CALLS / 2) {
                        GrpcApp.await(() -> tracker.inFlight() >= CALLS / 8, Duration.ofSeconds(10));
                        app.closeAsync();
                    }
                }
                List<Status> statuses = new ArrayList<>();
                for (CompletableFuture<Status> call : calls) {
                    statuses.add(call.get(30, TimeUnit.SECONDS));
                }
                GrpcApp.await(() -> !app.context().isActive(), Duration.ofSeconds(30));
                long counted = tracker.completedCalls() - tracker.failedCalls() - okBefore;
                long ok = statuses.stream().filter(Status::isOk).count();
                assertThat(ok)
                    .as("round %d: calls counted completed with OK and seen with OK (all: %s)", round, statuses)
                    .isEqualTo(counted);
                countedOk += counted;
                clientOk += ok;
            }
            finally {
                app.close();
            }
        }
        assertThat(roundsWithExchangesCounted).as("rounds in which the valve counted the calls in flight")
            .hasValue(ROUNDS);
        assertThat(unfinishedAtTheDrainsEnd).as("gRPC exchanges Tomcat had not finished when the drain reported")
            .isEmpty();
        assertThat(clientOk).as("calls seen with OK").isPositive().isEqualTo(countedOk);
    }

    private static StandardContext tomcatContext(Boot4GrpcApp app) {
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) app.context()).getWebServer();
        Container host = server.getTomcat().getHost();
        return (StandardContext) host.findChildren()[0];
    }

    private static CompletableFuture<Status> unary(ManagedChannel channel, String millis) {
        CompletableFuture<Status> ended = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(
                channel.newCall(SlowService.SLEEP, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)), millis,
                new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.complete(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        return ended;
    }

}
