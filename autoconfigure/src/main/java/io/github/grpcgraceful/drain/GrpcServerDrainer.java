package io.github.grpcgraceful.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

import io.github.grpcgraceful.inflight.InFlightCall;
import io.github.grpcgraceful.inflight.InFlightCallTracker;
import io.grpc.Server;
import io.grpc.Status;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;

/**
 * Drains every gRPC server of the application when the context stops: out of service first, then (after the
 * drain-delay) no new connections or calls, then in-flight calls get the grace period to finish, and whatever still
 * runs at the deadline ends with a retryable {@code UNAVAILABLE}. Runs once per context; later stops are no-ops.
 *
 * <p>It stops synchronously, before net.devh's {@code GrpcServerLifecycle} (which depends on it being done) and
 * before the web server shuts down, so health endpoints stay reachable for the whole drain.
 */
public class GrpcServerDrainer implements SmartLifecycle, ApplicationListener<GrpcServerStartedEvent> {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerDrainer.class);

    /** How long ended calls get to flush their status before the transports are closed hard. */
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(1);
    /** How long to wait for the servers to terminate after {@code shutdownNow()}. */
    private static final Duration TERMINATION_WAIT = Duration.ofSeconds(5);
    /** How many ended calls the log names one by one. */
    private static final int LOGGED_CALLS = 20;

    private final InFlightCallTracker tracker;
    private final Duration drainDelay;
    private final Duration gracePeriod;
    private final ApplicationEventPublisher events;
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private volatile DrainStatus status = DrainStatus.SERVING;
    private volatile boolean running;
    /** {@link InFlightCallTracker#completedCalls()} when the drain started. */
    private volatile long completedBefore;

    public GrpcServerDrainer(InFlightCallTracker tracker, Duration drainDelay, Duration gracePeriod,
            ApplicationEventPublisher events) {
        this.tracker = tracker;
        this.drainDelay = drainDelay;
        this.gracePeriod = gracePeriod;
        this.events = events;
    }

    @Override
    public void onApplicationEvent(GrpcServerStartedEvent event) {
        servers.add(event.getServer());
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void stop() {
        running = false;
        drain();
    }

    /** The drain as it is now; while it runs, the completed calls are counted live. */
    public DrainStatus status() {
        DrainStatus current = status;
        if (current.state() == DrainState.DELAYING || current.state() == DrainState.DRAINING) {
            return current.withCompletedCalls(tracker.completedCalls() - completedBefore);
        }
        return current;
    }

    public Duration getDrainDelay() {
        return drainDelay;
    }

    public Duration getGracePeriod() {
        return gracePeriod;
    }

    /** Drains all servers and returns when they have stopped; a no-op when a drain has already started. */
    public void drain() {
        long startNanos = System.nanoTime();
        Instant startedAt = Instant.now();
        synchronized (this) {
            if (status.state() != DrainState.SERVING) {
                return;
            }
            completedBefore = tracker.completedCalls();
            status = new DrainStatus(DrainState.DELAYING, startedAt, null, null, 0, 0);
        }
        int inFlight = tracker.inFlight();
        log.info("gRPC drain started: {} in flight, drain-delay {}, grace period {}",
                calls(inFlight), Durations.describe(drainDelay), Durations.describe(gracePeriod));
        events.publishEvent(new GrpcDrainStartedEvent(this, inFlight, drainDelay, gracePeriod));

        boolean interrupted = !sleep(drainDelay);
        long deadlineNanos = System.nanoTime() + gracePeriod.toNanos();
        Instant deadline = Instant.now().plus(gracePeriod);
        status = new DrainStatus(DrainState.DRAINING, startedAt, deadline, null, 0, 0);
        servers.forEach(Server::shutdown);

        boolean terminated = !interrupted && awaitDrained(deadlineNanos);
        List<InFlightCall> ended = terminated ? List.of() : endRemainingCalls();

        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        long completed = tracker.completedCalls() - completedBefore;
        DrainOutcome outcome = terminated ? DrainOutcome.COMPLETED : DrainOutcome.FORCED;
        status = new DrainStatus(DrainState.TERMINATED, startedAt, deadline, Instant.now(), completed, ended.size());
        log.info("gRPC server drained in {}: {} completed{}", Durations.seconds(took), calls(completed),
                ended.isEmpty() ? "" : ", " + calls(ended.size()) + " ended with UNAVAILABLE");
        events.publishEvent(new GrpcDrainCompletedEvent(this, outcome, took, completed, ended.size()));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private List<InFlightCall> endRemainingCalls() {
        Status unavailable = Status.UNAVAILABLE.withDescription(
                "server shutting down: grace period " + Durations.describe(gracePeriod) + " expired");
        List<InFlightCall> ended = tracker.endAll(unavailable);
        log.warn("gRPC grace period {} expired: ended {} with UNAVAILABLE{}", Durations.describe(gracePeriod),
                calls(ended.size()), ended.isEmpty() ? "" : ": " + describe(ended));
        // Handlers that honour cancellation return now, and the ended calls' statuses go out before transports close.
        awaitDrained(System.nanoTime() + FLUSH_WAIT.toNanos());
        servers.forEach(Server::shutdownNow);
        if (!awaitTermination(System.nanoTime() + TERMINATION_WAIT.toNanos())) {
            log.warn("gRPC servers did not terminate within {} after shutdownNow()",
                    Durations.describe(TERMINATION_WAIT));
        }
        int stillRunning = tracker.inFlight();
        if (stillRunning > 0) {
            log.warn("{} still running after their calls were ended: the handlers ignore cancellation",
                    plural(stillRunning, "handler"));
        }
        return ended;
    }

    /**
     * Waits until every call has finished and every server has terminated, or the deadline passes; returns whether
     * all did. Event-driven: it returns as soon as the last call and server are done.
     */
    private boolean awaitDrained(long deadlineNanos) {
        try {
            return tracker.awaitIdle(deadlineNanos) && awaitTermination(deadlineNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean awaitTermination(long deadlineNanos) {
        try {
            for (Server server : servers) {
                if (!server.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sleeps unless interrupted; returns false if it was. */
    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static String describe(List<InFlightCall> ended) {
        String named = ended.stream().limit(LOGGED_CALLS).map(InFlightCall::toString).collect(Collectors.joining(", "));
        return ended.size() > LOGGED_CALLS ? named + " and " + (ended.size() - LOGGED_CALLS) + " more" : named;
    }

    private static String calls(long count) {
        return plural(count, "call");
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
