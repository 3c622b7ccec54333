package io.github.grpcgraceful.netdevh;

import org.springframework.context.ApplicationListener;

import io.github.grpcgraceful.drain.GrpcServerDrainer;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;

/**
 * Hands every server net.devh starts to the drain, with net.devh's own stop of it, so that net.devh still publishes
 * its {@code GrpcServerShutdownEvent} and {@code GrpcServerTerminatedEvent} and logs its completed shutdown.
 */
public class NetDevhServerRegistrar implements ApplicationListener<GrpcServerStartedEvent> {

    private final GrpcServerDrainer drainer;

    public NetDevhServerRegistrar(GrpcServerDrainer drainer) {
        this.drainer = drainer;
    }

    @Override
    public void onApplicationEvent(GrpcServerStartedEvent event) {
        GrpcServerLifecycle lifecycle = event.getSource();
        drainer.register(event.getServer(), lifecycle::stop);
    }
}
