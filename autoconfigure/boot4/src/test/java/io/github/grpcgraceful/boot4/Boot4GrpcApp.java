package io.github.grpcgraceful.boot4;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycleEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.util.ClassUtils;

import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.RejectingInterceptor;
import io.github.grpcgraceful.testing.Channels;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * A real Spring Boot 4 application with Boot's own Netty gRPC server on a free loopback
 * port, serving {@link SlowService}, with the Boot 4 starter's auto-configuration as a
 * user would get it.
 */
public final class Boot4GrpcApp implements GrpcApp {

    /**
     * Whether this is Spring Boot 4.1's own gRPC support, rather than Spring gRPC 1.0 on
     * Spring Boot 4.0.
     */
    static final boolean BOOT_4_1 = ClassUtils
        .isPresent("org.springframework.boot.grpc.server.autoconfigure.GrpcServerServicesAutoConfiguration", null);

    /**
     * The gRPC server on loopback and a free port: in Spring Boot 4.1's properties, or in
     * Spring gRPC 1.0's, on Spring Boot 4.0, where this module's tests run too (its
     * {@code address} is host and port, its {@code host} the host).
     */
    static final String[] LOOPBACK_ON_A_FREE_PORT = Boot4GrpcApp.BOOT_4_1
            ? new String[] { "spring.grpc.server.port=0", "spring.grpc.server.address=127.0.0.1" }
            // Its health and reflection services come only with a BindableService bean,
            // unless enabled.
            : new String[] { "spring.grpc.server.port=0", "spring.grpc.server.host=127.0.0.1",
                    "spring.grpc.server.health.enabled=true", "spring.grpc.server.reflection.enabled=true" };

    private final ConfigurableApplicationContext context;

    private final Recorder recorder;

    private final SlowService service;

    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    private Boot4GrpcApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.recorder = context.getBean(Recorder.class);
        this.service = context.getBean(SlowService.class);
    }

    /**
     * An app some other code started, such as Spring's test framework; closing it closes
     * its context.
     */
    static Boot4GrpcApp of(ConfigurableApplicationContext context) {
        return new Boot4GrpcApp(context);
    }

    static Boot4GrpcApp start(String... properties) {
        return start(WebApplicationType.NONE, properties);
    }

    static Boot4GrpcApp startWeb(String... properties) {
        return start(WebApplicationType.SERVLET, properties);
    }

    /**
     * A web app whose gRPC Tomcat serves over HTTP/2 on the HTTP port, where
     * grpc-servlet-jakarta is on the class path (the servlet transport's module): no gRPC
     * server of Spring Boot's own starts.
     */
    public static Boot4GrpcApp startServlet(String... properties) {
        List<String> all = new ArrayList<>(List.of("server.http2.enabled=true"));
        all.addAll(List.of(properties));
        return start(WebApplicationType.SERVLET, all.toArray(String[]::new));
    }

    private static Boot4GrpcApp start(WebApplicationType type, String... properties) {
        return new Boot4GrpcApp(new SpringApplicationBuilder(App.class).web(type)
            .properties(LOOPBACK_ON_A_FREE_PORT)
            .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
                    // On the test classpath for the push registry and tracing tests,
                    // which turn them on.
                    "management.otlp.metrics.export.enabled=false", "management.tracing.enabled=false")
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
        ManagedChannel channel = Grpc
            .newChannelBuilderForAddress("127.0.0.1", grpcPort(), InsecureChannelCredentials.create())
            .build();
        channels.add(channel);
        return channel;
    }

    /**
     * The drain events and Spring gRPC's server lifecycle events, in the order they were
     * published.
     */
    List<ApplicationEvent> shutdownEvents() {
        return List.copyOf(recorder.events);
    }

    @Override
    public int grpcPort() {
        // No gRPC server of its own started: Tomcat serves gRPC on the HTTP port.
        return recorder.grpcPort != 0 ? recorder.grpcPort : httpPort();
    }

    @Override
    public int httpPort() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Override
    public List<ApplicationEvent> drainEvents() {
        return recorder.events.stream().filter(GrpcApp::isDrainEvent).toList();
    }

    @Override
    public void close() {
        context.close();
        Channels.closeGently(channels);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    public static class App {

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

        /**
         * The setting docs/servlet-transport.md gives for gRPC on Tomcat: Tomcat's HTTP/2
         * overhead protection otherwise counts a client's small messages, each in a DATA
         * frame of its own, as an attack and closes the connection (GOAWAY
         * ENHANCE_YOUR_CALM). {@code TomcatOverheadProtectionTest} turns it off to show
         * why.
         */
        @Bean
        @ConditionalOnBooleanProperty(name = "test.tomcat.small-grpc-frames-allowed", matchIfMissing = true)
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallGrpcFramesOnTomcat() {
            return (factory) -> factory.addConnectorCustomizers((connector) -> {
                for (UpgradeProtocol protocol : connector.findUpgradeProtocols()) {
                    if (protocol instanceof Http2Protocol http2) {
                        http2.setOverheadDataThreshold(0);
                    }
                }
            });
        }

    }

    static class Recorder implements ApplicationListener<ApplicationEvent> {

        private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

        private volatile int grpcPort;

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (event instanceof GrpcServerStartedEvent started) {
                grpcPort = started.getPort();
            }
            else if (event instanceof GrpcServerLifecycleEvent || GrpcApp.isDrainEvent(event)) {
                events.add(event);
            }
        }

    }

}
