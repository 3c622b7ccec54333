package io.github.grpcgraceful.boot4;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycleEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

import io.github.grpcgraceful.drain.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.drain.GrpcDrainStartedEvent;
import io.github.grpcgraceful.testing.Channels;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;

/**
 * A real Spring Boot 4 application with Boot's own Netty gRPC server on a free loopback port, serving
 * {@link SlowService}, with the Boot 4 starter's auto-configuration as a user would get it.
 */
final class Boot4GrpcApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ConfigurableApplicationContext context;
    private final Recorder recorder;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    private Boot4GrpcApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.recorder = context.getBean(Recorder.class);
    }

    static Boot4GrpcApp start(String... properties) {
        return start(WebApplicationType.NONE, properties);
    }

    static Boot4GrpcApp startWeb(String... properties) {
        return start(WebApplicationType.SERVLET, properties);
    }

    private static Boot4GrpcApp start(WebApplicationType type, String... properties) {
        return new Boot4GrpcApp(new SpringApplicationBuilder(App.class)
                .web(type)
                .properties("spring.grpc.server.port=0", "spring.grpc.server.address=127.0.0.1", "server.port=0",
                        "server.address=127.0.0.1", "spring.main.banner-mode=off")
                .properties(properties)
                .run());
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    SlowService service() {
        return context.getBean(SlowService.class);
    }

    ManagedChannel newChannel() {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", recorder.grpcPort,
                InsecureChannelCredentials.create()).build();
        channels.add(channel);
        return channel;
    }

    /** Starts a {@code Sleep} call of {@code millis} and waits until the handler has it. */
    CompletableFuture<String> sleepCall(long millis) throws InterruptedException {
        int before = service().received();
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> ClientCalls.blockingUnaryCall(
                newChannel(), SlowService.SLEEP, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
                Long.toString(millis)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (service().received() == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the call never reached its handler");
            }
            Thread.sleep(10);
        }
        return reply;
    }

    CompletableFuture<Void> closeAsync() {
        return CompletableFuture.runAsync(context::close);
    }

    /** The drain events and Spring gRPC's server lifecycle events, in the order they were published. */
    List<ApplicationEvent> shutdownEvents() {
        return List.copyOf(recorder.events);
    }

    GrpcDrainCompletedEvent drainCompleted() {
        return recorder.events.stream().filter(GrpcDrainCompletedEvent.class::isInstance)
                .map(GrpcDrainCompletedEvent.class::cast).reduce((first, last) -> last).orElseThrow();
    }

    /** A GET on the app's HTTP port: the status code and the body. */
    HttpResponse<String> get(String path) throws Exception {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        context.close();
        Channels.closeGently(channels);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        SlowService slowService() {
            return new SlowService();
        }

        @Bean
        Recorder recorder() {
            return new Recorder();
        }
    }

    static class Recorder implements ApplicationListener<ApplicationEvent> {

        private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();
        private volatile int grpcPort;

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (event instanceof GrpcServerStartedEvent started) {
                grpcPort = started.getPort();
            } else if (event instanceof GrpcServerLifecycleEvent || event instanceof GrpcDrainStartedEvent
                    || event instanceof GrpcDrainCompletedEvent) {
                events.add(event);
            }
        }
    }
}
