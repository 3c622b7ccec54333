package io.github.grpcgraceful.internal.drain;

import java.time.Duration;
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

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.api.GrpcServingResumedEvent;
import io.github.grpcgraceful.internal.engine.DrainEngine;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.engine.DrainStart;
import io.github.grpcgraceful.internal.engine.DrainTarget;
import io.github.grpcgraceful.internal.engine.ServersTarget;
import io.github.grpcgraceful.internal.engine.ServletContainerTarget;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;

/**
 * The drain in Spring's lifecycle: a {@link SmartLifecycle} whose stop drains (through
 * the Spring-free {@link DrainEngine}) and whose start after a drain serves again, and
 * the drain's steps published as the application's events. Every stop after a start is a
 * full drain, and a start after a drain (a lifecycle restart, a cached test context
 * resumed) serves again.
 *
 * <p>
 * It stops synchronously, before the server lifecycles of the gRPC backend (which depend
 * on it) and before the web server shuts down, so health endpoints stay reachable for the
 * whole drain. The drain-delay applies only when the context closes
 * ({@link #onApplicationEvent}). Whether to drain at all ({@code grpc.shutdown.enabled}
 * at run time, for applications whose conditions Spring AOT fixed at build time) is
 * decided here: off, it never drains.
 */
public class GrpcServerDrainer
        implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerDrainer.class);

    /**
     * How long the drain waits at least for the listeners of its events, where no
     * drain-delay gives them longer.
     */
    private static final Duration LISTENER_WAIT = Duration.ofSeconds(1);

    /** The first to stop: the drain comes before every other lifecycle's stop. */
    public static final int PHASE = Integer.MAX_VALUE;

    private final DrainEngine engine;

    /** The servers registered to drain, or {@code null} for the servlet container. */
    private final ServersTarget servers;

    private final boolean enabled;

    private ApplicationContext context;

    private volatile boolean running;

    /**
     * Whether the context is closing, rather than only stopping: only then do load
     * balancers need the delay.
     */
    private volatile boolean closing;

    public GrpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy, ApplicationEventPublisher events) {
        this(tracker, policy, events, true);
    }

    /** With a policy that is fixed. */
    public GrpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy, ApplicationEventPublisher events,
            boolean enabled) {
        this(tracker, () -> policy, events, enabled);
    }

    /**
     * With {@code enabled} false, it never drains and the gRPC backend's own shutdown
     * applies: for an application whose auto-configuration was fixed at build time
     * (Spring AOT) while {@code grpc.shutdown.enabled} is false at run time.
     */
    public GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled) {
        this(tracker, policy, events, enabled, List.of());
    }

    /**
     * A drainer that tells {@code participants} (gRPC health, …) of the drain's steps, in
     * their order, before it publishes them as events.
     */
    public GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, List<DrainParticipant> participants) {
        this(tracker, policy, events, enabled, new ServersTarget(), participants);
    }

    /**
     * A drainer for gRPC served by the servlet container (grpc-servlet), on the same
     * connector as Actuator: there is no gRPC server to register or close, so when the
     * listeners would close, the tracker refuses new calls with {@code UNAVAILABLE}
     * instead, while the container keeps serving HTTP; the container's own graceful
     * shutdown comes after the drain.
     */
    public static GrpcServerDrainer forServletContainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, Supplier<List<ServerServiceDefinition>> services,
            List<DrainParticipant> participants) {
        return new GrpcServerDrainer(tracker, policy, events, enabled, new ServletContainerTarget(tracker, services),
                participants);
    }

    private GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, DrainTarget target,
            List<DrainParticipant> participants) {
        List<DrainParticipant> all = new ArrayList<>(participants);
        all.add(new EventsParticipant(events));
        this.engine = new DrainEngine(tracker, policy, target, all, DrainClock.system());
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
        if (enabled) {
            ShutdownBudget.overrun(policy(), ShutdownBudget.phaseTimeout(context.getEnvironment()))
                .ifPresent(log::warn);
        }
    }

    /**
     * Adds a started server to drain. {@code backendStop}, if not {@code null}, is the
     * gRPC backend's own stop of that server: it runs when the drain closes the listeners
     * and is expected to call {@link Server#shutdown()} and then wait until the server
     * has terminated.
     */
    public void register(Server server, Runnable backendStop) {
        if (servers == null) {
            throw new IllegalStateException("gRPC is served by the servlet container here: no server to register");
        }
        servers.register(server, backendStop);
    }

    /** The servers the next drain drains, in the order they started. */
    public List<Server> servers() {
        return (servers != null) ? servers.servers() : List.of();
    }

    /**
     * The services of the servers the next drain drains, or those the servlet container
     * serves.
     */
    public List<ServerServiceDefinition> services() {
        return engine.target().services();
    }

    /**
     * Serves again after a drain: health, readiness and gRPC health turn back (see
     * {@link GrpcServingResumedEvent}).
     */
    @Override
    public void start() {
        running = true;
        engine.resume();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void stop() {
        running = false;
        if (enabled) {
            engine.drain(closing);
        }
    }

    /**
     * Drains now, as a stop does, and returns when the servers have stopped; a no-op
     * while a drain runs or after one, until the context starts again.
     */
    public void drain() {
        engine.drain(closing);
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * The context is closing, not only stopping: the drain that comes next waits the
     * drain-delay.
     */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        // A child context's close reaches its parent's listeners too.
        if (context == null || event.getApplicationContext() == context) {
            closing = true;
        }
    }

    /**
     * Whether the calls come through the servlet container, which keeps its connections
     * open during the drain.
     */
    public boolean isServletContainer() {
        return servers == null;
    }

    /** Whether this drainer drains at all: {@code grpc.shutdown.enabled} at run time. */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Whether a stop now would drain a server: enabled, started, and with a server to
     * drain.
     */
    public boolean willDrain() {
        return enabled && running && engine.canDrain();
    }

    /** The drain as it is now; while it runs, its counts are live. */
    public DrainStatus status() {
        return engine.status();
    }

    /**
     * The drain that ended before the last start (a lifecycle restart), or {@code null}
     * if there was none.
     */
    public DrainStatus previousDrain() {
        return engine.previousDrain();
    }

    /**
     * The policy the next drain follows (the one under way follows the policy it started
     * with).
     */
    public DrainPolicy policy() {
        return engine.policy();
    }

    /**
     * The drain's steps as the application's events, published on a thread of their own:
     * the drain waits for their listeners only as long as its drain-delay (at least 1 s),
     * and interrupts those still running when it is over.
     */
    private final class EventsParticipant implements DrainParticipant {

        private final DrainEvents events;

        EventsParticipant(ApplicationEventPublisher publisher) {
            this.events = new DrainEvents(publisher);
        }

        @Override
        public void drainStarted(DrainStart start) {
            Duration delay = start.delay();
            this.events.publish(
                    new GrpcDrainStartedEvent(GrpcServerDrainer.this, start.inFlight(), delay, start.gracePeriod()),
                    (delay.compareTo(LISTENER_WAIT) > 0) ? delay : LISTENER_WAIT);
        }

        @Override
        public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
            this.events.publish(new GrpcDrainCompletedEvent(GrpcServerDrainer.this, outcome, took,
                    status.completedCalls(), status.failedCalls(), status.releasedCalls(), status.endedCalls()),
                    LISTENER_WAIT);
            this.events.interruptLate();
        }

        @Override
        public void servingResumed(DrainStatus endedDrain) {
            this.events.publish(new GrpcServingResumedEvent(GrpcServerDrainer.this, endedDrain), LISTENER_WAIT);
            this.events.interruptLate();
        }

    }

}
