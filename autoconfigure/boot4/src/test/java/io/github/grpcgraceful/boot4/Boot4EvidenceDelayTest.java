package io.github.grpcgraceful.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.testing.GrpcApp;

/**
 * The evidence-based drain-delay on a real server, probed over real HTTP: a prober that
 * polls readiness every 200 ms is answered out of service at its next poll, no call
 * arrives, and the drain-delay of 10 s ends after about a poll and the quiet period.
 */
class Boot4EvidenceDelayTest {

    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();

    private Boot4GrpcApp app;

    @AfterEach
    void stop() {
        prober.shutdownNow();
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aProberOfReadinessAnsweredOutOfServiceEndsTheDelayLongBeforeItsMaximum() throws Exception {
        app = Boot4GrpcApp.startWeb("grpc.shutdown.drain-delay=10s", "grpc.shutdown.quiet-period=300ms",
                "management.endpoints.web.exposure.include=health", "management.endpoint.health.probes.enabled=true");
        AtomicInteger probes = new AtomicInteger();
        AtomicInteger outOfService = new AtomicInteger();
        // The port as it is now: asking a stopped web server for its port would start its
        // connector again.
        HttpRequest readiness = HttpRequest
            .newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(5))
            .build();
        prober.scheduleWithFixedDelay(() -> {
            int status;
            try {
                status = GrpcApp.HTTP.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            catch (IOException ex) {
                return; // closed: nothing listens any more
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            probes.incrementAndGet();
            if (status == 503) {
                outOfService.incrementAndGet();
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        GrpcApp.await(() -> probes.get() >= 2, Duration.ofSeconds(10));

        long closeStart = System.nanoTime();
        app.context().close();
        Duration closed = Duration.ofNanos(System.nanoTime() - closeStart);

        GrpcDrainCompletedEvent drained = app.drainCompleted();
        DrainDelay delay = drained.getDelay();
        assertThat(delay.end()).isEqualTo(DrainDelay.End.EVIDENCE);
        assertThat(delay.took()).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(5));
        assertThat(delay.probersSeen()).isOne();
        assertThat(delay.lastAnsweredProber()).startsWith("HTTP health from 127.0.0.1 (Java-http-client");
        assertThat(delay.lastCallAfter()).isNull();
        assertThat(outOfService.get()).as("readiness polls answered 503").isPositive();
        assertThat(closed).as("the whole close, far below the 10 s maximum").isLessThan(Duration.ofSeconds(6));
    }

}
