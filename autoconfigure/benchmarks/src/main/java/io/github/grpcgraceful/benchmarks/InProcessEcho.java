package io.github.grpcgraceful.benchmarks;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

/**
 * {@link EchoService} on an in-process server with direct executors, behind one
 * server-wide interceptor or none.
 */
public final class InProcessEcho implements AutoCloseable {

    /** What sits in front of the service. */
    public enum Interceptor {

        /** Nothing: the floor. */
        NONE,
        /**
         * This project's in-flight tracker, with the standard long-lived methods, as the
         * starters install it.
         */
        TRACKER,
        /**
         * Reference: only counting calls in and out (see
         * {@link ReferenceInterceptors#counting()}).
         */
        COUNT_ONLY,
        /**
         * Reference: only a cancellable context per call (see
         * {@link ReferenceInterceptors#ownContext()}).
         */
        OWN_CONTEXT_ONLY,
        /**
         * Micrometer's {@code MetricCollectingServerInterceptor}, which net.devh installs
         * for its gRPC metrics.
         */
        NETDEVH_METRICS,
        /**
         * Micrometer's {@code ObservationGrpcServerInterceptor} with a meter handler,
         * which Spring Boot 4 installs.
         */
        MICROMETER_OBSERVATION;

        ServerInterceptor create() {
            return switch (this) {
                case NONE -> null;
                case TRACKER -> new InFlightCallTracker();
                case COUNT_ONLY -> ReferenceInterceptors.counting();
                case OWN_CONTEXT_ONLY -> ReferenceInterceptors.ownContext();
                case NETDEVH_METRICS -> new MetricCollectingServerInterceptor(new SimpleMeterRegistry());
                case MICROMETER_OBSERVATION -> {
                    ObservationRegistry registry = ObservationRegistry.create();
                    ObservationHandler<?> meters = new DefaultMeterObservationHandler(new SimpleMeterRegistry());
                    registry.observationConfig().observationHandler(meters);
                    yield new ObservationGrpcServerInterceptor(registry);
                }
            };
        }

    }

    private final Server server;

    private final ManagedChannel channel;

    InProcessEcho(Interceptor interceptor) throws IOException {
        String name = "echo-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(EchoService.definition());
        ServerInterceptor created = interceptor.create();
        if (created != null) {
            builder.intercept(created);
        }
        server = builder.build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

}
