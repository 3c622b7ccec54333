package io.github.grpcgraceful.boot4;

import org.springframework.context.ApplicationListener;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

import io.github.grpcgraceful.drain.GrpcServerDrainer;

/**
 * Hands every server Spring Boot's gRPC support starts to the drain, with its lifecycle's own stop, so that Spring
 * gRPC still publishes its {@code GrpcServerShutdownEvent} and {@code GrpcServerTerminatedEvent} and logs its completed
 * shutdown.
 */
public class SpringGrpcServerRegistrar implements ApplicationListener<GrpcServerStartedEvent> {

    private final GrpcServerDrainer drainer;

    public SpringGrpcServerRegistrar(GrpcServerDrainer drainer) {
        this.drainer = drainer;
    }

    @Override
    public void onApplicationEvent(GrpcServerStartedEvent event) {
        GrpcServerLifecycle lifecycle = event.getSource();
        drainer.register(event.getServer(), lifecycle::stop);
    }
}
