package io.github.grpcgraceful.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;

import com.jayway.jsonpath.JsonPath;

import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.api.GrpcServingResumedEvent;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;

/**
 * A real Spring Boot application with one gRPC backend, serving {@link SlowService} on a
 * free loopback port with this starter auto-configured, as the engine's shared tests
 * drive it on every backend.
 */
public interface GrpcApp extends AutoCloseable {

    HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConfigurableApplicationContext context();

    SlowService service();

    /**
     * A new channel to the server's current port (a restarted server has a new one);
     * closed with the app.
     */
    ManagedChannel newChannel();

    /** The app's HTTP port (web apps only); a restarted web server may have a new one. */
    int httpPort();

    /** The server's current port. */
    int grpcPort();

    /**
     * The drain's events (started, completed, resumed) in the order they were published.
     */
    List<ApplicationEvent> drainEvents();

    /** Whether {@code event} is one of the drain's own: started, completed or resumed. */
    static boolean isDrainEvent(ApplicationEvent event) {
        return event instanceof GrpcDrainStartedEvent || event instanceof GrpcDrainCompletedEvent
                || event instanceof GrpcServingResumedEvent;
    }

    /** The last drain's completed event. */
    default GrpcDrainCompletedEvent drainCompleted() {
        return drainEvents().stream()
            .filter(GrpcDrainCompletedEvent.class::isInstance)
            .map(GrpcDrainCompletedEvent.class::cast)
            .reduce((first, last) -> last)
            .orElseThrow();
    }

    /** Closes the context on another thread, as a shutdown hook would. */
    default CompletableFuture<Void> closeAsync() {
        return CompletableFuture.runAsync(context()::close);
    }

    @Override
    void close();

    /**
     * Closes the app after its test, without waiting out its drain-delay: a stop first
     * drains it without one (what the test asserted is over), so the close finds nothing
     * left to drain. An app the test closed itself is only closed again.
     */
    default void closeAfterTest() {
        ConfigurableApplicationContext context = context();
        if (context.isActive() && !context.isClosed()) {
            context.stop();
        }
        close();
    }

    /**
     * Starts a {@code Sleep} call of {@code millis} on a new channel and waits until the
     * handler has it.
     */
    default CompletableFuture<String> sleepCall(long millis) {
        ManagedChannel channel = newChannel();
        int before = service().received();
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> ClientCalls.blockingUnaryCall(channel,
                SlowService.SLEEP, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), Long.toString(millis)));
        await(() -> service().received() > before, Duration.ofSeconds(10));
        return reply;
    }

    /** A GET on the app's HTTP port. */
    default Reply get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP reply: its status and body. */
    record Reply(int status, String body) {

        /** A value of the JSON body, as in {@code $.components.grpcServer.status}. */
        public <T> T read(String jsonPath) {
            return JsonPath.read(body, jsonPath);
        }
    }

    /** Polls {@code condition} until it holds; fails after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(10);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

}
