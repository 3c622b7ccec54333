package io.github.grpcgraceful.sample.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.sample.client.GreeterClient;
import io.github.grpcgraceful.sample.greeter.GreeterGrpc;
import io.github.grpcgraceful.sample.greeter.HelloRequest;
import io.github.grpcgraceful.testing.FixedAddresses;
import io.grpc.ManagedChannel;

/**
 * The client's half of the promise: a call that one replica ends at its grace deadline
 * with {@code UNAVAILABLE} is retried by the client's retry policy on the other replica,
 * and the caller sees no failure.
 */
class ClientRetryIT {

    private SampleProcess draining;

    private SampleProcess staying;

    private CompletableFuture<SampleProcess> startingStaying;

    private ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (staying == null && startingStaying != null) {
            // The other start failed first: this one is still ended.
            staying = startingStaying.handle((started, failure) -> started).join();
        }
        for (SampleProcess sample : new SampleProcess[] { draining, staying }) {
            if (sample != null) {
                sample.close();
            }
        }
    }

    @Test
    void aCallCutAtOneReplicasGraceDeadlineIsRetriedOnTheOtherAndSucceeds() throws Exception {
        // Both start at once: each start waits until its replica is healthy.
        startingStaying = CompletableFuture.supplyAsync(() -> start("retry-staying"));
        draining = start("retry-draining", "--grpc.shutdown.grace-period=1s");
        staying = startingStaying.get(90, TimeUnit.SECONDS);
        // pick_first: the call goes to the first replica while it serves, to the second
        // once it is gone.
        channel = FixedAddresses.channel(List.of(draining.grpcPort(), staying.grpcPort()),
                GreeterClient.retryServiceConfig());
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> GreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName("world").setDuration("3s").build())
            .getMessage());
        awaitLog(draining, "Received: world");

        draining.sigterm();

        assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("Hello world");
        assertThat(draining.awaitExit(Duration.ofSeconds(15))).as("draining replica exited").isTrue();
        assertThat(draining.log())
            .contains("gRPC grace period 1s expired: ended 1 call with UNAVAILABLE: " + "Greeter/SayHello");
        assertThat(staying.log()).as("the retry reached the other replica").contains("Received: world");
    }

    private static SampleProcess start(String name, String... arguments) {
        try {
            return SampleProcess.start(name, arguments);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitLog(SampleProcess sample, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sample.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log never showed \"" + text + "\":\n" + sample.log());
            }
            Thread.sleep(20);
        }
    }

}
