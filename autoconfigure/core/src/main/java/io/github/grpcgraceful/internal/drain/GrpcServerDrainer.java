package io.github.grpcgraceful.internal.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.api.GrpcServingResumedEvent;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;

/**
 * Drains every gRPC server of the application when the context stops: out of service
 * first, then (after the drain-delay) no new connections or calls and long-lived streams
 * released, then the other calls in flight get the grace period to finish, and whatever
 * still runs at the deadline ends with a retryable {@code UNAVAILABLE}. Every stop after
 * a start is a full drain, and a start after a drain (a lifecycle restart, a cached test
 * context resumed) serves again. No exception escapes it, and no user code (a listener of
 * its events, a drain action) can hold it up.
 *
 * <p>
 * It stops synchronously, before the server lifecycles of the gRPC backend (which depend
 * on it) and before the web server shuts down, so health endpoints stay reachable for the
 * whole drain. Each backend's own stop runs when the listeners close, on a thread of its
 * own, so that the backend still publishes its shutdown events and logs in their usual
 * order; the drain waits for it before it reports itself completed.
 */
public class GrpcServerDrainer
        implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerDrainer.class);

    /**
     * How long ended calls get to flush their status before the transports are closed
     * hard.
     */
    static final Duration FLUSH_WAIT = Duration.ofSeconds(1);

    /**
     * How long to wait for the servers (and their backends' stops) to terminate after
     * {@code shutdownNow()}.
     */
    private static final Duration TERMINATION_WAIT = Duration.ofSeconds(5);

    /**
     * How long the drain waits at least for the listeners of its events, where no
     * drain-delay gives them longer.
     */
    private static final Duration LISTENER_WAIT = Duration.ofSeconds(1);

    /** The first to stop: the drain comes before every other lifecycle's stop. */
    public static final int PHASE = Integer.MAX_VALUE;

    /** How many calls a log line names one by one. */
    private static final int LOGGED_CALLS = 20;

    private final InFlightCallTracker tracker;

    /**
     * Read at each drain, and by the endpoint: a refresh of the properties it reads
     * applies to the next drain.
     */
    private final Supplier<DrainPolicy> policy;

    private final DrainEvents events;

    private final boolean enabled;

    /**
     * The services the servlet container serves, or {@code null} where servers are
     * registered instead. The drainer cannot close the container's connections, so it has
     * the tracker refuse new calls itself.
     */
    private final Supplier<List<ServerServiceDefinition>> containerServices;

    private final List<DrainedServer> servers = new CopyOnWriteArrayList<>();

    private final Status releaseStatus;

    private final Status refusalStatus;

    private ApplicationContext context;

    /**
     * Guards the moves between states: a drain starts once, and a start after it resumes
     * once.
     */
    private final Object lock = new Object();

    private volatile DrainStatus status = DrainStatus.SERVING;

    /** The drain that ended before the last start, or {@code null}. */
    private volatile DrainStatus previousDrain;

    private volatile boolean running;

    /**
     * Whether the context is closing, rather than only stopping: only then do load
     * balancers need the delay.
     */
    private volatile boolean closing;

    /** The tracker's counts when the drain started. */
    private volatile long completedBefore;

    private volatile long failedBefore;

    private volatile long releasedBefore;

    private volatile long endedBefore;

    private volatile long refusedBefore;

    public GrpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy, ApplicationEventPublisher events) {
        this(tracker, policy, events, true);
    }

    /** With a policy that is fixed. */
    public GrpcServerDrainer(InFlightCallTracker tracker, DrainPolicy policy, ApplicationEventPublisher events,
            boolean enabled) {
        this(tracker, () -> policy, events, enabled, null);
    }

    /**
     * With {@code enabled} false, it never drains and the gRPC backend's own shutdown
     * applies: for an application whose auto-configuration was fixed at build time
     * (Spring AOT) while {@code grpc.shutdown.enabled} is false at run time.
     */
    public GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled) {
        this(tracker, policy, events, enabled, null);
    }

    /**
     * A drainer for gRPC served by the servlet container (grpc-servlet), on the same
     * connector as Actuator: there is no gRPC server to register or close, so when the
     * listeners would close, the tracker refuses new calls with {@code UNAVAILABLE}
     * instead, while the container keeps serving HTTP; the container's own graceful
     * shutdown comes after the drain.
     */
    public static GrpcServerDrainer forServletContainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled, Supplier<List<ServerServiceDefinition>> services) {
        return new GrpcServerDrainer(tracker, policy, events, enabled, services);
    }

    private GrpcServerDrainer(InFlightCallTracker tracker, Supplier<DrainPolicy> policy,
            ApplicationEventPublisher events, boolean enabled,
            Supplier<List<ServerServiceDefinition>> containerServices) {
        this.tracker = tracker;
        this.containerServices = containerServices;
        this.policy = policy;
        this.events = new DrainEvents(events);
        this.enabled = enabled;
        this.releaseStatus = Status.UNAVAILABLE
            .withDescription("server shutting down: long-lived stream released, reconnect to another server");
        this.refusalStatus = Status.UNAVAILABLE
            .withDescription("server shutting down: no new calls, retry on another server");
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
        servers.add(new DrainedServer(server, backendStop));
    }

    /** The servers the next drain drains, in the order they started. */
    public List<Server> servers() {
        return servers.stream().map(DrainedServer::server).toList();
    }

    /**
     * The services of the servers the next drain drains, or those the servlet container
     * serves.
     */
    public List<ServerServiceDefinition> services() {
        if (containerServices != null) {
            return containerServices.get();
        }
        return servers.stream().flatMap(drained -> drained.server().getServices().stream()).toList();
    }

    /**
     * Serves again after a drain: health, readiness and gRPC health turn back (see
     * {@link GrpcServingResumedEvent}).
     */
    @Override
    public void start() {
        DrainStatus ended = null;
        synchronized (lock) {
            if (status.state() == DrainState.TERMINATED) {
                ended = status;
                previousDrain = ended;
                status = DrainStatus.SERVING;
                tracker.acceptNewCalls();
            }
            running = true;
        }
        if (ended != null) {
            log.info("gRPC serving again after the drain that started at {}: health and readiness turned back",
                    ended.startedAt());
            events.publish(new GrpcServingResumedEvent(this, ended), LISTENER_WAIT);
            events.interruptLate();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Whether the calls come through the servlet container, which keeps its connections
     * open during the drain.
     */
    public boolean isServletContainer() {
        return containerServices != null;
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
        synchronized (lock) {
            return enabled && running && status.state() == DrainState.SERVING
                    && (isServletContainer() || !servers.isEmpty());
        }
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public void stop() {
        running = false;
        if (enabled) {
            drain();
        }
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

    /** The drain as it is now; while it runs, its counts are live. */
    public DrainStatus status() {
        DrainStatus current = status;
        if (current.state() == DrainState.DELAYING || current.state() == DrainState.DRAINING) {
            return current.withCounts(tracker.completedCalls() - completedBefore, tracker.failedCalls() - failedBefore,
                    tracker.releasedCalls() - releasedBefore);
        }
        return current;
    }

    /**
     * The drain that ended before the last start (a lifecycle restart), or {@code null}
     * if there was none.
     */
    public DrainStatus previousDrain() {
        return previousDrain;
    }

    /**
     * The policy the next drain follows (the one under way follows the policy it started
     * with).
     */
    public DrainPolicy policy() {
        return policy.get();
    }

    /**
     * Drains all servers and returns when they have stopped; a no-op while a drain runs
     * or after one, until the context starts again. The drain-delay applies when the
     * context is closing; a stop that is not part of a close (a lifecycle restart, a
     * paused test context) has no load balancer to wait for.
     */
    public void drain() {
        long startNanos = System.nanoTime();
        Instant startedAt = Instant.now();
        DrainPolicy policy; // this drain's, as the properties were when it started
        synchronized (lock) {
            if (status.state() != DrainState.SERVING) {
                return;
            }
            policy = policy();
            completedBefore = tracker.completedCalls();
            failedBefore = tracker.failedCalls();
            releasedBefore = tracker.releasedCalls();
            endedBefore = tracker.endedCalls();
            refusedBefore = tracker.refusedCalls();
            status = new DrainStatus(DrainState.DELAYING, startedAt, null, null, 0, 0, 0, 0);
        }
        // A handler that closes the application (SpringApplication.exit) runs this drain
        // on its own thread: its call
        // cannot finish before the drain has.
        String closingCall = tracker.currentCallMethod();
        if (closingCall != null) {
            log.warn("The application's close was started by the handler of a call to {}, on its own thread: "
                    + "that call cannot finish until the drain has ended, so the drain waits for the other calls "
                    + "only; if the handler has not replied, its call ends at the deadline with UNAVAILABLE. Reply "
                    + "first, then close the application from another thread", closingCall);
        }
        Duration delay = closing ? policy.drainDelay() : Duration.ZERO;
        int inFlight = tracker.inFlight();
        log.info("gRPC drain started: {} in flight, drain-delay {}, grace period {}", calls(inFlight),
                closing || policy.drainDelay().isZero() ? Durations.describe(delay)
                        : "skipped (the context stops, it does not close)",
                Durations.describe(policy.gracePeriod()));

        boolean interrupted = false;
        boolean terminated = false;
        Instant deadline = null;
        int drainedServers = servers.size();
        try {
            events.publish(new GrpcDrainStartedEvent(this, inFlight, delay, policy.gracePeriod()),
                    delay.compareTo(LISTENER_WAIT) > 0 ? delay : LISTENER_WAIT);
            interrupted = !sleepUntil(startNanos + delay.toNanos());
            List<Thread> backendStops = closeListeners();
            if (isServletContainer()) {
                tracker.refuseNewCalls(refusalStatus);
            }
            long deadlineNanos = System.nanoTime() + policy.gracePeriod().toNanos();
            deadline = Instant.now().plus(policy.gracePeriod());
            status = new DrainStatus(DrainState.DRAINING, startedAt, deadline, null, 0, 0, 0, 0);
            List<InFlightCall> released = tracker.beginDrain(releaseStatus, policy.longLivedMethods());
            log.info("{}, grace period {}{}",
                    isServletContainer()
                            ? "New gRPC calls refused with UNAVAILABLE (the servlet container's connector stays open)"
                            : "gRPC listener closed",
                    Durations.describe(policy.gracePeriod()),
                    released.isEmpty() ? "" : ": released " + streams(released.size()) + ": " + describe(released));
            terminated = !interrupted && awaitDrained(deadlineNanos, closingCall);
            if (!terminated) {
                endRemainingCalls(policy.gracePeriod(), closingCall);
            }
            awaitBackendStops(backendStops);
        }
        catch (RuntimeException | Error e) {
            log.error("gRPC drain failed; stopping the servers at once", e);
            stopNow();
            terminated = false;
        }
        finally {
            tracker.endDrain();
            // These servers are done; a start after this (a lifecycle restart) registers
            // the new ones.
            servers.clear();
        }

        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        long completed = tracker.completedCalls() - completedBefore;
        long failed = tracker.failedCalls() - failedBefore;
        long released = tracker.releasedCalls() - releasedBefore;
        // With the calls that arrived after the deadline, which the tracker ended as they
        // came.
        long endedCalls = tracker.endedCalls() - endedBefore;
        long refused = tracker.refusedCalls() - refusedBefore;
        DrainOutcome outcome = terminated ? DrainOutcome.COMPLETED : DrainOutcome.FORCED;
        status = new DrainStatus(DrainState.TERMINATED, startedAt, deadline, Instant.now(), completed, failed, released,
                endedCalls);
        String drained = isServletContainer() ? "gRPC on the servlet container"
                : drainedServers > 1 ? drainedServers + " gRPC servers" : "gRPC server";
        log.info("{} drained in {}: {} completed{}{}{}{}", drained, Durations.seconds(took), calls(completed),
                failed == 0 ? ""
                        : " (" + (completed - failed) + " with OK, " + failed + " with an error status or cancelled)",
                released == 0 ? "" : ", released " + streams(released),
                endedCalls == 0 ? "" : ", " + calls(endedCalls) + " ended with UNAVAILABLE",
                refused == 0 ? "" : ", " + plural(refused, "new call") + " refused");
        events.publish(new GrpcDrainCompletedEvent(this, outcome, took, completed, failed, released, endedCalls),
                LISTENER_WAIT);
        events.interruptLate();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts each backend's own stop, on a thread of its own, and closes every listener
     * at once; the backend's {@code shutdown()} is then a no-op. Returns the stops'
     * threads.
     */
    private List<Thread> closeListeners() {
        List<Thread> stops = new ArrayList<>();
        for (DrainedServer drained : servers) {
            if (drained.backendStop() != null) {
                Thread stop = new Thread(() -> runQuietly(drained.backendStop()), "grpc-drain-stop-" + stops.size());
                stop.setDaemon(true);
                stop.start();
                stops.add(stop);
            }
            drained.server().shutdown();
        }
        return stops;
    }

    private void awaitBackendStops(List<Thread> stops) {
        long deadlineNanos = System.nanoTime() + TERMINATION_WAIT.toNanos();
        try {
            for (Thread stop : stops) {
                stop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
                if (stop.isAlive()) {
                    log.warn("The gRPC backend's own stop has not returned within {} of the servers' termination",
                            Durations.describe(TERMINATION_WAIT));
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends what still runs at the deadline. {@code closingCall} is the method of the call
     * whose handler started the application's close and so runs this drain, or
     * {@code null}: that handler cannot return before the drain does.
     */
    private void endRemainingCalls(Duration gracePeriod, String closingCall) {
        String expired = "grace period " + Durations.describe(gracePeriod) + " expired";
        List<InFlightCall> ended = tracker
            .endAll(Status.UNAVAILABLE.withDescription("server shutting down: " + expired));
        log.warn("gRPC {}: ended {} with UNAVAILABLE{}", expired, calls(ended.size()),
                ended.isEmpty() ? "" : ": " + describe(ended));
        // Handlers that honour cancellation return now, and the ended calls' statuses go
        // out before transports close.
        awaitDrained(System.nanoTime() + FLUSH_WAIT.toNanos(), closingCall);
        stopNow();
        int stillRunning = tracker.inFlight() - (closingCall == null ? 0 : 1);
        if (stillRunning > 0) {
            log.warn("{} still running after their calls were ended: the handlers ignore cancellation",
                    plural(stillRunning, "handler"));
        }
        if (closingCall != null) {
            log.info("The handler of the call to {} that started the application's close returns once the close "
                    + "is over", closingCall);
        }
    }

    private void stopNow() {
        servers.forEach(drained -> drained.server().shutdownNow());
        if (!awaitTermination(System.nanoTime() + TERMINATION_WAIT.toNanos())) {
            log.warn("gRPC servers did not terminate within {} after shutdownNow()",
                    Durations.describe(TERMINATION_WAIT));
        }
    }

    /**
     * Waits until every call has finished (but the one whose handler runs this drain,
     * {@code closingCall}, if not {@code null}) and every server has terminated, or the
     * deadline passes; returns whether all did. Event-driven: it returns as soon as the
     * last call and server are done.
     */
    private boolean awaitDrained(long deadlineNanos, String closingCall) {
        try {
            return tracker.awaitIdle(deadlineNanos, closingCall == null ? 0 : 1) && awaitTermination(deadlineNanos);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean awaitTermination(long deadlineNanos) {
        try {
            for (DrainedServer drained : servers) {
                long left = Math.max(0, deadlineNanos - System.nanoTime());
                if (!drained.server().awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
            return true;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void runQuietly(Runnable backendStop) {
        try {
            backendStop.run();
        }
        catch (RuntimeException | Error e) {
            log.warn("The gRPC backend's own server stop failed", e);
        }
    }

    /**
     * Sleeps until {@code deadlineNanos} ({@link System#nanoTime()}) unless interrupted;
     * returns false if it was.
     */
    private static boolean sleepUntil(long deadlineNanos) {
        try {
            long left;
            while ((left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            return true;
        }
        catch (InterruptedException e) {
            return false;
        }
    }

    private static String describe(List<InFlightCall> calls) {
        String named = calls.stream().limit(LOGGED_CALLS).map(InFlightCall::toString).collect(Collectors.joining(", "));
        return calls.size() > LOGGED_CALLS ? named + " and " + (calls.size() - LOGGED_CALLS) + " more" : named;
    }

    private static String calls(long count) {
        return plural(count, "call");
    }

    private static String streams(long count) {
        return plural(count, "long-lived stream");
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** A server to drain and its backend's own stop, or {@code null}. */
    private record DrainedServer(Server server, Runnable backendStop) {
    }

}
