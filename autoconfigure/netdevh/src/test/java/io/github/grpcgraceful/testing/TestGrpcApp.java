package io.github.grpcgraceful.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import net.devh.boot.grpc.server.event.GrpcServerShutdownEvent;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;
import net.devh.boot.grpc.server.event.GrpcServerTerminatedEvent;
import net.devh.boot.grpc.server.interceptor.GrpcGlobalServerInterceptor;
import net.devh.boot.grpc.server.service.GrpcService;

/**
 * A real Spring Boot application with net.devh's Netty server on a free loopback port,
 * serving {@link SlowService}, with this library auto-configured as a user would get it.
 */
public final class TestGrpcApp implements GrpcApp {

    private final ConfigurableApplicationContext context;

    private final Recorder recorder;

    private final SlowService service;

    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    private TestGrpcApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.recorder = context.getBean(Recorder.class);
        this.service = context.getBean(SlowService.class);
    }

    /** Starts the app without a web server. */
    public static TestGrpcApp start(String... properties) {
        return start(WebApplicationType.NONE, properties);
    }

    /** Starts the app with Tomcat and Actuator on a free port. */
    public static TestGrpcApp startWeb(String... properties) {
        return start(WebApplicationType.SERVLET, properties);
    }

    private static TestGrpcApp start(WebApplicationType type, String... properties) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(type)
            .properties("grpc.server.port=0", "grpc.server.address=127.0.0.1", "server.port=0",
                    "server.address=127.0.0.1", "spring.main.banner-mode=off",
                    // On the test classpath for the push registry and tracing tests,
                    // which turn them on.
                    "management.otlp.metrics.export.enabled=false", "management.tracing.enabled=false")
            .properties(properties)
            .run();
        return new TestGrpcApp(context);
    }

    @Override
    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public SlowService service() {
        return service;
    }

    @Override
    public int grpcPort() {
        return recorder.grpcPort;
    }

    @Override
    public int httpPort() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** A new client channel to the server; shut down when the app is closed. */
    @Override
    public ManagedChannel newChannel() {
        ManagedChannel channel = Grpc
            .newChannelBuilderForAddress("127.0.0.1", grpcPort(), InsecureChannelCredentials.create())
            .build();
        channels.add(channel);
        return channel;
    }

    @Override
    public List<ApplicationEvent> drainEvents() {
        return recorder.shutdownEvents.stream().filter(GrpcApp::isDrainEvent).toList();
    }

    /**
     * Drain events and net.devh's server shutdown events, in the order they were
     * published.
     */
    public List<ApplicationEvent> shutdownEvents() {
        return List.copyOf(recorder.shutdownEvents);
    }

    @Override
    public void close() {
        context.close();
        Channels.closeGently(channels);
    }

    /** Polls {@code condition} until it holds; fails after {@code timeout}. */
    public static void await(BooleanSupplier condition, Duration timeout) {
        GrpcApp.await(condition, timeout);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        @GrpcService
        SlowService slowService() {
            return new SlowService();
        }

        @GrpcGlobalServerInterceptor
        RejectingInterceptor rejectingInterceptor() {
            return new RejectingInterceptor();
        }

        @Bean
        Recorder recorder() {
            return new Recorder();
        }

    }

    /**
     * Remembers the Netty server's real port, the drain events and net.devh's shutdown
     * events.
     */
    static class Recorder implements ApplicationListener<ApplicationEvent> {

        private final List<ApplicationEvent> shutdownEvents = new CopyOnWriteArrayList<>();

        private volatile int grpcPort;

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (event instanceof GrpcServerStartedEvent started && started.getPort() >= 0) {
                grpcPort = started.getServer().getPort();
            }
            else if (GrpcApp.isDrainEvent(event) || event instanceof GrpcServerShutdownEvent
                    || event instanceof GrpcServerTerminatedEvent) {
                shutdownEvents.add(event);
            }
        }

    }

}
