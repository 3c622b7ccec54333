package io.github.grpcgraceful.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.testing.SlowService;
import io.github.grpcgraceful.testing.TestGrpcApp;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;

/**
 * Figures for the README, measured side by side in one run because this machine is shared
 * and noisy. Not part of {@code verify} (the class name matches no test pattern); run it
 * with
 * {@code ./mvnw -pl autoconfigure -am test -Dtest=GracefulShutdownBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class GracefulShutdownBenchmark {

    private static final int ROUNDS = 25;

    private static final int WARMUP_ROUNDS = 5;

    private static final int CALLS_PER_ROUND = 4000;

    private static final int CLIENT_THREADS = 4;

    /**
     * Unary calls per second through two identical Netty servers, one with the tracker,
     * alternating rounds.
     */
    @Test
    void trackerOverhead() throws Exception {
        InFlightCallTracker tracker = new InFlightCallTracker();
        Server plain = server(null);
        Server tracked = server(tracker);
        ManagedChannel toPlain = channel(plain);
        ManagedChannel toTracked = channel(tracked);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        List<Double> plainRates = new ArrayList<>();
        List<Double> trackedRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> plainBytes = new ArrayList<>();
        List<Double> trackedBytes = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                // Alternate which server goes first, so drift on the machine hits both
                // alike.
                boolean plainFirst = round % 2 == 0;
                long allocatedBefore = allocatedBytes();
                double first = callsPerSecond(plainFirst ? toPlain : toTracked, clients);
                long allocatedBetween = allocatedBytes();
                double second = callsPerSecond(plainFirst ? toTracked : toPlain, clients);
                double firstBytes = (allocatedBetween - allocatedBefore) / (double) CALLS_PER_ROUND;
                double secondBytes = (allocatedBytes() - allocatedBetween) / (double) CALLS_PER_ROUND;
                if (round >= WARMUP_ROUNDS) {
                    double plainRate = plainFirst ? first : second;
                    double trackedRate = plainFirst ? second : first;
                    plainRates.add(plainRate);
                    trackedRates.add(trackedRate);
                    ratios.add(trackedRate / plainRate);
                    plainBytes.add(plainFirst ? firstBytes : secondBytes);
                    trackedBytes.add(plainFirst ? secondBytes : firstBytes);
                }
            }
        }
        finally {
            clients.shutdownNow();
            toPlain.shutdownNow();
            toTracked.shutdownNow();
            plain.shutdownNow();
            tracked.shutdownNow();
        }
        System.out.printf("%ntracker overhead: %d rounds of %d unary calls, %d client threads, loopback%n",
                ROUNDS - WARMUP_ROUNDS, CALLS_PER_ROUND, CLIENT_THREADS);
        System.out.printf("  without tracker: median %.0f calls/s, %.0f bytes allocated per call (client and server)%n",
                median(plainRates), median(plainBytes));
        System.out.printf("  with tracker:    median %.0f calls/s, %.0f bytes allocated per call (client and server)%n",
                median(trackedRates), median(trackedBytes));
        System.out.printf("  tracked/plain:   median %.3f (min %.3f, max %.3f)%n", median(ratios),
                Collections.min(ratios), Collections.max(ratios));
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracker.completedCalls()).isEqualTo((long) ROUNDS * CALLS_PER_ROUND);
    }

    /**
     * How soon after the last in-flight call completes the context close returns (drain,
     * net.devh stop, rest).
     */
    @Test
    void drainEndsRightAfterTheLastCall() throws Exception {
        int runs = 15;
        List<Double> closeLagMillis = new ArrayList<>();
        List<Double> idleCloseMillis = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            TestGrpcApp app = TestGrpcApp.start();
            CompletableFuture<Long> replied = app.sleepCall(300).thenApply(reply -> System.nanoTime());
            app.closeAsync().get(30, TimeUnit.SECONDS);
            long closed = System.nanoTime();
            closeLagMillis.add((closed - replied.get(10, TimeUnit.SECONDS)) / 1e6);

            TestGrpcApp idle = TestGrpcApp.start();
            long idleStart = System.nanoTime();
            idle.close();
            idleCloseMillis.add((System.nanoTime() - idleStart) / 1e6);
            app.close();
        }
        System.out.printf("%ndrain: %d runs, one 300 ms call in flight at close%n", runs);
        System.out.printf("  context close returned after the reply: median %.1f ms, max %.1f ms%n",
                median(closeLagMillis), Collections.max(closeLagMillis));
        System.out.printf("  close with nothing in flight:          median %.1f ms, max %.1f ms%n",
                median(idleCloseMillis), Collections.max(idleCloseMillis));
    }

    /** Bytes allocated so far by every live thread of this JVM. */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    private static double callsPerSecond(ManagedChannel channel, ExecutorService clients) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            workers.add(clients.submit(() -> {
                for (int i = 0; i < CALLS_PER_ROUND / CLIENT_THREADS; i++) {
                    ClientCalls.blockingUnaryCall(channel, SlowService.SLEEP, CallOptions.DEFAULT, "0");
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(2, TimeUnit.MINUTES);
        }
        return CALLS_PER_ROUND / (Duration.ofNanos(System.nanoTime() - start).toNanos() / 1e9);
    }

    private static Server server(InFlightCallTracker tracker) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new SlowService());
        if (tracker != null) {
            builder.intercept(tracker);
        }
        return builder.build().start();
    }

    private static ManagedChannel channel(Server server) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

}
