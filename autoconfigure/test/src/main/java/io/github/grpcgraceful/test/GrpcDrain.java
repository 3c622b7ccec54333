package io.github.grpcgraceful.test;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * Drives a drain of the application's real gRPC server in its own test, without closing
 * the context, on the drain's manual clock: {@link #start()} drains as a stop of the
 * context does (health and readiness turn, the server stops accepting, long-lived streams
 * are released), {@link #startWithDrainDelay()} as a close does, the drain-delay first
 * until {@link #endDrainDelay()}, {@link #advance} lets time pass on the drain's clock,
 * {@link #awaitEnd()} returns what the drain did, and {@link #resume()} serves again.
 * Waits in real time are bounded (30 s) and fail with a message that says what the drain
 * still waits for.
 *
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;AutoConfigureGrpcDrain
 * class GreeterDrainTest {
 *
 *     &#64;Autowired
 *     GrpcDrain drain;
 *
 *     &#64;Test
 *     void aCallLongerThanTheGracePeriodEndsAtTheDeadline() {
 *         ObservedCall&lt;HelloReply&gt; slow = new ObservedCall&lt;&gt;();
 *         greeter.sayHello(request("slow", "60s"), slow);
 *         drain.awaitInFlight(1).start().advance(Duration.ofSeconds(30));
 *
 *         DrainReport report = drain.awaitEnd();
 *
 *         assertThat(slow).endedAtTheDeadline();
 *         assertThat(report.endedAtTheDeadlineByMethod()).containsEntry("Greeter/SayHello", 1);
 *     }
 * }
 * </pre>
 */
public final class GrpcDrain {

    /** The longest any wait of this class takes in real time before it fails. */
    static final Duration REAL_TIME_BOUND = Duration.ofSeconds(30);

    /**
     * How long, in real time, a wait of the drain past its deadline goes on before the
     * drain's clock is moved to its end.
     */
    private static final Duration SETTLE = Duration.ofMillis(200);

    private final ConfigurableApplicationContext context;

    private final ObjectProvider<GrpcServerDrainer> drainer;

    private final ManualDrainClock clock;

    private final InFlightCallTracker tracker;

    private final DrainRecorder recorder;

    private final ObjectProvider<ApplicationAvailability> availability;

    /** The thread that stops the context, and so runs the drain; guarded by this. */
    private Thread stopping;

    GrpcDrain(ConfigurableApplicationContext context, ObjectProvider<GrpcServerDrainer> drainer, ManualDrainClock clock,
            InFlightCallTracker tracker, DrainRecorder recorder, ObjectProvider<ApplicationAvailability> availability) {
        this.context = context;
        this.drainer = drainer;
        this.clock = clock;
        this.tracker = tracker;
        this.recorder = recorder;
        this.availability = availability;
    }

    /**
     * Waits until at least {@code calls} calls are in flight on the server, as a test
     * does before it starts the drain. A call is in flight once the server has it; its
     * handler may not have run yet ({@link ObservedCall#awaitMessages} waits for its
     * first answer).
     */
    public GrpcDrain awaitInFlight(int calls) {
        await(() -> tracker.inFlight() >= calls, () -> "expected at least " + calls
                + " calls in flight, but the server has " + tracker.inFlight() + " " + tracker.inFlightByMethod());
        return this;
    }

    /**
     * Starts draining, as a stop of the context does (without a drain-delay: the context
     * does not close), and returns once the server has stopped accepting new calls, the
     * drain's participants (health, readiness, meters) have been told, and the drain
     * waits for the calls: the grace period runs on the drain's clock from here, or the
     * drain has ended already.
     */
    public synchronized GrpcDrain start() {
        GrpcServerDrainer current = drainer();
        Thread started = stop(current);
        await(() -> !started.isAlive() || waitsForTheCalls(current.status()),
                () -> "the drain has not come to wait for the calls: it is " + current.status().state());
        return this;
    }

    /**
     * Starts draining as a close of the context does, with the application's drain-delay,
     * and returns while the delay runs on the drain's clock: health, readiness and gRPC
     * health say out of service, and the server still serves new calls, as load balancers
     * move away. {@link #endDrainDelay()} lets the delay pass; the grace period follows.
     */
    public synchronized GrpcDrain startWithDrainDelay() {
        GrpcServerDrainer current = drainer();
        current.delayNextStop();
        Thread started = stop(current);
        await(() -> !started.isAlive() || (recorder.startTold()
                && (current.status().state() == DrainState.DELAYING || waitsForTheCalls(current.status()))),
                () -> "the drain has not started its drain-delay: it is " + current.status().state());
        return this;
    }

    /**
     * Lets the rest of the drain-delay pass on the drain's clock (an evidence-based delay
     * ends at its maximum then, unless its evidence came first), and returns once the
     * server has stopped accepting new calls and the drain waits for the calls in flight.
     */
    public GrpcDrain endDrainDelay() {
        GrpcServerDrainer current = drainer();
        Thread started;
        synchronized (this) {
            started = stopping;
        }
        if (started == null) {
            throw new IllegalStateException("No drain was started: call startWithDrainDelay() first");
        }
        DrainStatus status = current.status();
        if (status.state() == DrainState.DELAYING) {
            Duration rest = Duration.between(clock.instant(), status.startedAt().plus(current.policy().drainDelay()));
            if (rest.compareTo(Duration.ZERO) > 0) {
                clock.advance(rest);
            }
        }
        await(() -> !started.isAlive() || waitsForTheCalls(current.status()),
                () -> "the drain-delay has not ended: the drain is " + current.status().state());
        return this;
    }

    /**
     * Stops the context on a thread of its own, which runs the drain; returns that
     * thread.
     */
    private Thread stop(GrpcServerDrainer current) {
        if (!current.isRunning()) {
            throw new IllegalStateException("The gRPC server is drained already: resume() it first");
        }
        stopping = new Thread(context::stop, "grpc-drain-test");
        stopping.setDaemon(true);
        stopping.start();
        return stopping;
    }

    /**
     * Whether the drain has closed the listener, told its participants, and now waits on
     * its clock for the calls until the deadline: time the test moves from here on is the
     * grace period's.
     */
    private boolean waitsForTheCalls(DrainStatus status) {
        if (status.state() != DrainState.DRAINING || status.deadline() == null) {
            return false;
        }
        Instant clockStart = clock.instant().minus(clock.elapsed());
        return clock.isWaitedFor(Duration.between(clockStart, status.deadline()));
    }

    /** Lets {@code time} pass on the drain's clock, as for the grace period. */
    public GrpcDrain advance(Duration time) {
        clock.advance(time);
        return this;
    }

    /**
     * Waits until the drain has ended and returns what it did. Past the deadline, the
     * drain's own short waits (its participants' steps, the flush of the calls it ended)
     * pass by themselves once they have waited a moment of real time; before it, only the
     * calls' ends or {@link #advance} move the drain on.
     */
    public DrainReport awaitEnd() {
        Thread running;
        synchronized (this) {
            running = stopping;
        }
        if (running == null) {
            throw new IllegalStateException("No drain was started: call start() first");
        }
        long until = System.nanoTime() + REAL_TIME_BOUND.toNanos();
        // A wait past the deadline, and since when (real time) it has been waited for.
        Duration pending = null;
        long pendingSince = 0;
        while (running.isAlive()) {
            join(running);
            DrainStatus status = drainer().status();
            if (status.state() == DrainState.DRAINING && status.deadline() != null
                    && !clock.instant().isBefore(status.deadline())) {
                Duration next = clock.nextWaitedFor();
                if (next == null || next.compareTo(clock.elapsed()) <= 0) {
                    pending = null;
                }
                else if (!next.equals(pending)) {
                    pending = next;
                    pendingSince = System.nanoTime();
                }
                else if (System.nanoTime() - pendingSince > SETTLE.toNanos()) {
                    // Still waited for after a moment of real time: what it waits for
                    // (a participant's step, the end of an ended call) had its chance.
                    clock.advance(next.minus(clock.elapsed()));
                    pending = null;
                }
            }
            if (running.isAlive() && System.nanoTime() - until > 0) {
                throw new AssertionError(stillWaiting(status));
            }
        }
        DrainReport report = recorder.ended();
        if (report == null) {
            throw new AssertionError("No drain ran: is grpc.shutdown.enabled false, or is no gRPC server running?");
        }
        return report;
    }

    private String stillWaiting(DrainStatus status) {
        String waits = (status.deadline() == null) ? "its deadline is not set yet"
                : "its deadline is " + Duration.between(clock.instant(), status.deadline()).toMillis() / 1000.0
                        + " s away on the drain's clock";
        return "The drain has not ended within " + REAL_TIME_BOUND.toSeconds() + " s of real time: "
                + tracker.inFlight() + " calls still in flight " + tracker.inFlightByMethod() + ", and " + waits
                + ". Move the clock (advance(...)) or let the calls complete";
    }

    /**
     * Serves again after the drain, as a start of the context does: new calls are
     * accepted, health and readiness turn back. A server on port 0 may listen on a new
     * port then.
     */
    public void resume() {
        synchronized (this) {
            if (stopping != null && stopping.isAlive()) {
                throw new IllegalStateException("The drain has not ended: awaitEnd() first");
            }
            stopping = null;
        }
        context.start();
    }

    /** The drain as it is now (its counts live while it runs). */
    public DrainStatus status() {
        return drainer().status();
    }

    /**
     * What readiness says now, as Kubernetes reads it; {@code null} without Spring Boot's
     * availability.
     */
    public ReadinessState readiness() {
        ApplicationAvailability current = availability.getIfAvailable();
        return (current != null) ? current.getReadinessState() : null;
    }

    private GrpcServerDrainer drainer() {
        GrpcServerDrainer current = drainer.getIfAvailable();
        if (current == null) {
            throw new IllegalStateException("The application has no gRPC drain: is the starter on its class path, "
                    + "and does it serve gRPC?");
        }
        return current;
    }

    private static void join(Thread thread) {
        try {
            thread.join(20);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the drain ran", ex);
        }
    }

    /** Polls {@code condition} in real time, failing with {@code why} after the bound. */
    static void await(BooleanSupplier condition, Supplier<String> why) {
        long until = System.nanoTime() + REAL_TIME_BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("Waited " + REAL_TIME_BOUND.toSeconds() + " s in vain: " + why.get());
            }
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting", ex);
            }
        }
    }

}
