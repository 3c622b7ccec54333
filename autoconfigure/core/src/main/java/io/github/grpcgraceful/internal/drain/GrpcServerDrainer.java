package io.github.grpcgraceful.internal.drain;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.engine.ContainerExchanges;
import io.github.grpcgraceful.internal.engine.DrainEngine;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.engine.DrainTarget;
import io.github.grpcgraceful.internal.engine.ServersTarget;
import io.github.grpcgraceful.internal.engine.ServletContainerTarget;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;

/**
 * The drain in Spring's lifecycle, over the Spring-free {@link DrainEngine}: a stop
 * drains, a start after a drain serves again, and the drain-delay applies only when the
 * context closes ({@link #onApplicationEvent}). It stops first (phase {@link #PHASE}),
 * synchronously, before the gRPC backend's server lifecycles and the web server, so
 * health endpoints stay reachable for the whole drain. Whether to drain at all
 * ({@code grpc.shutdown.enabled} at run time, for applications whose conditions Spring
 * AOT fixed at build time) is decided here, and only here.
 */
public class GrpcServerDrainer
        implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerDrainer.class);

    /** The first to stop: the drain comes before every other lifecycle's stop. */
    public static final int PHASE = Integer.MAX_VALUE;

    private final DrainEngine engine;

    /** The servers registered to drain, or {@code null} for the servlet container. */
    private final ServersTarget servers;

    private final boolean enabled;

    private ApplicationContext context;

    private volatile boolean running;

    /** Whether the context is closing, not only stopping: only then is there a delay. */
    private volatile boolean closing;

    /** Whether the next stop has a delay too, as a close would: a test asked for it. */
    private volatile boolean delayNextStop;

    /**
     * A drainer of the gRPC servers registered with it ({@link #register}), telling
     * {@code participants} of the drain's steps in their order, then the application's
     * listeners as events. With {@code enabled} false it never drains, and the backend's
     * own shutdown applies.
     */
    public static GrpcServerDrainer forServers(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, List<DrainParticipant> participants) {
        return forServers(tracker, policy, events, enabled, participants, DrainClock.system());
    }

    /** As above, with the drain's time read from {@code clock}, as a test drives it. */
    public static GrpcServerDrainer forServers(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, List<DrainParticipant> participants, DrainClock clock) {
        return new GrpcServerDrainer(tracker, policy, events, enabled, new ServersTarget(), participants, clock);
    }

    /**
     * A drainer for gRPC served by the servlet container (grpc-servlet), on the same
     * connector as Actuator: instead of a listener closing, the tracker refuses new calls
     * with {@code UNAVAILABLE} while the container keeps serving HTTP; the container's
     * own graceful shutdown comes after the drain, once the container has written every
     * reply it was handed ({@code exchanges}).
     */
    public static GrpcServerDrainer forServletContainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, Supplier<List<ServerServiceDefinition>> services,
            ContainerExchanges exchanges, List<DrainParticipant> participants, DrainClock clock) {
        return new GrpcServerDrainer(tracker, policy, events, enabled,
                new ServletContainerTarget(tracker, services, exchanges), participants, clock);
    }

    private GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, DrainTarget target, List<DrainParticipant> participants,
            DrainClock clock) {
        List<DrainParticipant> all = new ArrayList<>(participants);
        all.add(new DrainEventsParticipant(events, this));
        this.engine = new DrainEngine(tracker, policy, target, all, clock);
        this.servers = (target instanceof ServersTarget registered) ? registered : null;
        this.enabled = enabled;
        if (!enabled) {
            log.info("grpc.shutdown.enabled is false at run time: no drain, the gRPC backend's own shutdown applies "
                    + "(the starter's beans are here because this application's conditions were fixed at build time, "
                    + "by Spring AOT)");
        }
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
        if (this.enabled) {
            ShutdownBudget.overrun(policy(), ShutdownBudget.phaseTimeout(context.getEnvironment()))
                .ifPresent(log::warn);
        }
    }

    /**
     * Adds a started server to drain; {@code backendStop}, if not {@code null}, is the
     * backend's own stop of it (shutdown, then wait until terminated), run when the drain
     * closes the listeners.
     */
    public void register(Server server, Runnable backendStop) {
        if (this.servers == null) {
            throw new IllegalStateException("gRPC is served by the servlet container here: no server to register");
        }
        this.servers.register(server, backendStop);
    }

    @Override
    public void start() {
        this.running = true;
        this.engine.resume();
    }

    @Override
    public void stop() {
        this.running = false;
        boolean delayed = this.closing || this.delayNextStop;
        this.delayNextStop = false;
        if (this.enabled) {
            this.engine.drain(delayed);
        }
    }

    /**
     * The next stop drains as a close of the context does, drain-delay included, though
     * the context only stops: for a test that drives a drain, then serves again.
     */
    public void delayNextStop() {
        this.delayNextStop = true;
    }

    /**
     * Drains now, as a stop does; a no-op while a drain runs or after one, until a start.
     */
    public void drain() {
        this.engine.drain(this.closing);
    }

    /**
     * Drains as a close of the context does, drain-delay included, though the context is
     * not closing yet: for a signal that drains before the JVM shuts down. Returns when
     * the drain is over; the close that follows finds it so.
     */
    public void drainBeforeClose() {
        if (this.enabled) {
            this.engine.drain(true);
        }
    }

    /**
     * Forces the drain under way to its end, as at its deadline; {@code reason} names who
     * forced it. Returns whether this forced it.
     */
    public boolean force(String reason) {
        return this.enabled && this.engine.force(reason);
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        // A child context's close reaches its parent's listeners too.
        if (this.context == null || event.getApplicationContext() == this.context) {
            this.closing = true;
        }
    }

    /**
     * Whether a stop now would drain anything: enabled, started, and with something to
     * drain.
     */
    public boolean willDrain() {
        return this.enabled && this.running && this.engine.canDrain();
    }

    public boolean isEnabled() {
        return this.enabled;
    }

    /** Whether the calls come through the servlet container. */
    public boolean isServletContainer() {
        return this.servers == null;
    }

    /** The servers the next drain drains, in the order they started. */
    public List<Server> servers() {
        return (this.servers != null) ? this.servers.servers() : List.of();
    }

    /**
     * The services of the servers the next drain drains, or those the servlet container
     * serves.
     */
    public List<ServerServiceDefinition> services() {
        return this.engine.target().services();
    }

    /** The drain as it is now; while it runs, its counts are live. */
    public DrainStatus status() {
        return this.engine.status();
    }

    /** The drain that ended before the last start, or {@code null}. */
    public DrainStatus previousDrain() {
        return this.engine.previousDrain();
    }

    /** The policy the next drain follows. */
    public DrainPolicy policy() {
        return this.engine.policy();
    }

}
