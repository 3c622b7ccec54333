package io.github.grpcgraceful.boot4.servlet;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.GlobalServerInterceptor;

import io.github.grpcgraceful.testing.Channels;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.RejectingInterceptor;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * A real Spring Boot 4.1 web application whose gRPC is served by Tomcat over HTTP/2 (cleartext, prior knowledge) on
 * its HTTP port, through {@code grpc-servlet-jakarta}, serving {@link SlowService} with the Boot 4 starter's
 * auto-configuration as a user would get it. gRPC and Actuator share the one port.
 */
final class ServletGrpcApp implements GrpcApp {

    private final ConfigurableApplicationContext context;
    private final Recorder recorder;
    private final SlowService service;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    private ServletGrpcApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.recorder = context.getBean(Recorder.class);
        this.service = context.getBean(SlowService.class);
    }

    static ServletGrpcApp start(String... properties) {
        return new ServletGrpcApp(new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "server.address=127.0.0.1", "server.http2.enabled=true",
                        "spring.main.banner-mode=off")
                .properties(properties)
                .run());
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
    public ManagedChannel newChannel() {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort(),
                InsecureChannelCredentials.create()).build();
        channels.add(channel);
        return channel;
    }

    @Override
    public int grpcPort() {
        return httpPort();
    }

    @Override
    public int httpPort() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Override
    public List<ApplicationEvent> drainEvents() {
        return List.copyOf(recorder.events);
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
        @GlobalServerInterceptor
        RejectingInterceptor rejectingInterceptor() {
            return new RejectingInterceptor();
        }

        @Bean
        Recorder recorder() {
            return new Recorder();
        }
    }

    static class Recorder implements ApplicationListener<ApplicationEvent> {

        private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (GrpcApp.isDrainEvent(event)) {
                events.add(event);
            }
        }
    }
}
