package io.github.grpcgraceful.internal.backend;

import java.util.function.Function;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.ResolvableType;

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.grpc.Server;

/**
 * Hands every server a gRPC backend starts to the drain, with the backend's own stop of
 * it, so that the backend still publishes its shutdown events and logs its completed
 * shutdown, in their usual place within the drain.
 *
 * @param <E> the backend's server-started event
 */
public class ServerRegistrar<E extends ApplicationEvent> implements GenericApplicationListener {

    private final GrpcServerDrainer drainer;

    private final Class<E> startedEvent;

    private final Function<E, Server> server;

    private final Function<E, Runnable> backendStop;

    /**
     * @param drainer the drain to hand servers to
     * @param startedEvent the backend's event for a started server
     * @param server the started server, from the event
     * @param backendStop the backend's own stop of that server, from the event
     */
    public ServerRegistrar(GrpcServerDrainer drainer, Class<E> startedEvent, Function<E, Server> server,
            Function<E, Runnable> backendStop) {
        this.drainer = drainer;
        this.startedEvent = startedEvent;
        this.server = server;
        this.backendStop = backendStop;
    }

    @Override
    public boolean supportsEventType(ResolvableType eventType) {
        return startedEvent.isAssignableFrom(eventType.toClass());
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        E started = startedEvent.cast(event);
        drainer.register(server.apply(started), backendStop.apply(started));
    }

}
