package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.inflight.HandlerThreads;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.Status;

/**
 * The drain, free of Spring: out of service first (its participants are told), then after
 * the drain-delay the target stops accepting and long-lived streams are released, then
 * the other calls in flight get the grace period to finish, and whatever still runs at
 * the deadline ends with a retryable {@code UNAVAILABLE}. Every drain after a
 * {@link #resume()} is a full drain. No exception escapes it. A drain can be forced
 * ({@link #force}): it then ends what still runs at once, as at the deadline.
 *
 * <p>
 * One lock guards the moves between its states: a drain starts once, and a resume after
 * it once; and who may force the drain, and why it was.
 */
public final class DrainEngine {

    private static final Logger log = LoggerFactory.getLogger(DrainEngine.class);

    /**
     * How long ended calls get to flush their status before the transports are closed
     * hard.
     */
    public static final Duration FLUSH_WAIT = Duration.ofSeconds(1);

    /**
     * How long the drain waits at least for each participant's step; the start's wait is
     * the drain-delay where that is longer.
     */
    public static final Duration PARTICIPANT_WAIT = Duration.ofSeconds(1);

    private static final Status RELEASE = Status.UNAVAILABLE
        .withDescription("server shutting down: long-lived stream released, reconnect to another server");

    private final InFlightCallTracker tracker;

    /**
     * Read when each drain starts: a refresh of what it reads applies to the next drain.
     */
    private final Supplier<DrainPolicy> policy;

    private final DrainTarget target;

    /** Told of the drain's steps, in their order, each bounded. */
    private final Participants participants;

    private final DrainClock clock;

    private final Object lock = new Object();

    /** What the drain-delay waits on: nothing notifies it but the clock. */
    private final Object delay = new Object();

    /** Guarded by {@link #lock} for its moves; read without it. */
    private volatile DrainStatus status = DrainStatus.SERVING;

    /** The drain that ended before the last resume, or {@code null}. */
    private volatile DrainStatus previousDrain;

    /** The tracker's counts when the drain started. */
    private volatile Counts before = Counts.NONE;

    /**
     * The thread running the drain while it waits for the delay or the calls, so that a
     * force can cut the wait short; {@code null} otherwise. Guarded by {@link #lock}.
     */
    private Thread waitingDrain;

    /** Why the drain under way was forced, or {@code null}. Guarded by {@link #lock}. */
    private String forcedBy;

    public DrainEngine(InFlightCallTracker tracker, Supplier<DrainPolicy> policy, DrainTarget target,
            DrainParticipant participant) {
        this(tracker, policy, target, List.of(participant), DrainClock.system());
    }

    /**
     * An engine that tells {@code participants} of its steps in their order, each on a
     * daemon thread of its own, and reads time from {@code clock} and waits for it to
     * pass there.
     */
    public DrainEngine(InFlightCallTracker tracker, Supplier<DrainPolicy> policy, DrainTarget target,
            List<DrainParticipant> participants, DrainClock clock) {
        this(tracker, policy, target, participants, clock, Participants::daemonThread);
    }

    /**
     * An engine that runs each participant's step on a thread that {@code stepThreads}
     * makes (one per step, interrupted if it is still running when the drain is over),
     * and reads time from {@code clock} and waits for it to pass there.
     */
    public DrainEngine(InFlightCallTracker tracker, Supplier<DrainPolicy> policy, DrainTarget target,
            List<DrainParticipant> participants, DrainClock clock, ThreadFactory stepThreads) {
        this.tracker = tracker;
        this.policy = policy;
        this.target = target;
        this.participants = new Participants(participants, clock, stepThreads);
        this.clock = clock;
    }

    public DrainTarget target() {
        return target;
    }

    /**
     * The policy the next drain follows (the one under way follows the policy it started
     * with).
     */
    public DrainPolicy policy() {
        return policy.get();
    }

    /** The drain as it is now; while it runs, its counts are live. */
    public DrainStatus status() {
        DrainStatus current = status;
        if (current.state() == DrainState.DELAYING || current.state() == DrainState.DRAINING) {
            Counts now = Counts.of(tracker).minus(before);
            return current.withCounts(now.completed(), now.failed(), now.released());
        }
        return current;
    }

    /** The drain that ended before the last resume, or {@code null} if there was none. */
    public DrainStatus previousDrain() {
        return previousDrain;
    }

    /** Whether a drain now would drain anything: serving, with something to drain. */
    public boolean canDrain() {
        return status.state() == DrainState.SERVING && target.hasAnythingToDrain();
    }

    /**
     * Serves again after a drain: new calls are accepted, and the participants are told.
     * Returns whether a drain had ended.
     */
    public boolean resume() {
        DrainStatus ended;
        synchronized (lock) {
            if (status.state() != DrainState.TERMINATED) {
                return false;
            }
            ended = status;
            previousDrain = ended;
            status = DrainStatus.SERVING;
            tracker.acceptNewCalls();
        }
        log.info("gRPC serving again after the drain that started at {}: health and readiness turned back",
                ended.startedAt());
        this.participants.tell("servingResumed", PARTICIPANT_WAIT, (participant) -> participant.servingResumed(ended));
        this.participants.interruptLate();
        return true;
    }

    /**
     * Drains and returns when the target has stopped; a no-op while a drain runs or after
     * one, until {@link #resume()}. {@code closing}: the application closes, so load
     * balancers need the drain-delay; a stop that is not part of a close (a lifecycle
     * restart, a paused test context) has none to wait for.
     */
    public void drain(boolean closing) {
        long startNanos = clock.nanoTime();
        Instant startedAt = clock.instant();
        DrainPolicy policy; // this drain's, as the properties were when it started
        synchronized (lock) {
            if (status.state() != DrainState.SERVING) {
                return;
            }
            policy = policy();
            before = Counts.of(tracker);
            status = new DrainStatus(DrainState.DELAYING, startedAt, null, null, 0, 0, 0, 0, null);
            waitingDrain = Thread.currentThread();
            forcedBy = null;
        }
        // A handler that closes the application (SpringApplication.exit) runs
        // this drain on its own thread: its call cannot finish before the drain.
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
                (closing || policy.drainDelay().isZero()) ? Durations.describe(delay)
                        : "skipped (the context stops, it does not close)",
                Durations.describe(policy.gracePeriod()));

        boolean interrupted = false;
        boolean terminated = false;
        Instant deadline = null;
        DrainDelay delayed = null;
        String drained = target.describe();
        try {
            DrainStart start = new DrainStart(inFlight, delay, policy.gracePeriod(), target.services());
            this.participants.tell("drainStarted", (delay.compareTo(PARTICIPANT_WAIT) > 0) ? delay : PARTICIPANT_WAIT,
                    (participant) -> participant.drainStarted(start));
            delayed = awaitDelay(policy, delay, startNanos);
            interrupted = delayed == null;
            String stopped = target.stopAccepting();
            long deadlineNanos = clock.nanoTime() + policy.gracePeriod().toNanos();
            deadline = clock.instant().plus(policy.gracePeriod());
            status = new DrainStatus(DrainState.DRAINING, startedAt, deadline, null, 0, 0, 0, 0, delayed);
            List<InFlightCall> released = tracker.beginDrain(RELEASE, policy.longLivedMethods());
            log.info("{}, grace period {}{}", stopped, Durations.describe(policy.gracePeriod()), released.isEmpty() ? ""
                    : ": released " + streams(released.size()) + ": " + InFlightCalls.describe(released));
            DrainDelay delayEnded = delayed;
            this.participants.tell("listenerClosed", PARTICIPANT_WAIT,
                    (participant) -> participant.listenerClosed(delayEnded, released));
            terminated = !interrupted && awaitDrained(deadlineNanos, closingCall);
            String forced = stopWaiting();
            if (forced != null) {
                // The interrupt was the force's: the drain goes on to its end.
                interrupted = false;
            }
            if (!terminated) {
                endRemainingCalls(policy.gracePeriod(), closingCall, forced);
            }
        }
        catch (RuntimeException | Error ex) {
            log.error("gRPC drain failed; stopping the servers at once", ex);
            target.forceStop();
            terminated = false;
        }
        finally {
            stopWaiting();
            // The backends' stops have returned, and these servers are done: a start
            // after
            // this (a lifecycle restart) registers the new ones.
            target.drained();
            tracker.endDrain();
        }

        Duration took = Duration.ofNanos(clock.nanoTime() - startNanos);
        // With the calls that arrived after the deadline, which the tracker ended as they
        // came.
        Counts counts = Counts.of(tracker).minus(before);
        DrainOutcome outcome = terminated ? DrainOutcome.COMPLETED : DrainOutcome.FORCED;
        DrainStatus ended = new DrainStatus(DrainState.TERMINATED, startedAt, deadline, clock.instant(),
                counts.completed(), counts.failed(), counts.released(), counts.ended(), delayed);
        status = ended;
        log.info("{} drained in {}: {} completed{}{}{}{}", drained, Durations.seconds(took), calls(counts.completed()),
                (counts.failed() == 0) ? ""
                        : " (" + (counts.completed() - counts.failed()) + " with OK, " + counts.failed()
                                + " with an error status or cancelled)",
                (counts.released() == 0) ? "" : ", released " + streams(counts.released()),
                (counts.ended() == 0) ? "" : ", " + calls(counts.ended()) + " ended with UNAVAILABLE",
                (counts.refused() == 0) ? "" : ", " + plural(counts.refused(), "new call") + " refused");
        this.participants.tell("drainEnded", PARTICIPANT_WAIT,
                (participant) -> participant.drainEnded(outcome, took, ended));
        this.participants.interruptLate();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Forces the drain under way to its end: what still runs ends now with
     * {@code UNAVAILABLE}, as at the deadline, and the log names each of those calls and
     * the stack of each handler that is still at work after that. {@code reason} says who
     * forced it, as in {@code "a second SIGTERM"}. Returns whether this forced it: false
     * if no drain waits (none runs, or it is ending its calls already) or one was forced
     * already.
     */
    public boolean force(String reason) {
        synchronized (lock) {
            if (waitingDrain == null || forcedBy != null) {
                return false;
            }
            forcedBy = reason;
            // Every wait of the drain's ends on an interrupt; stopWaiting() clears it.
            waitingDrain.interrupt();
        }
        log.warn("gRPC drain forced by {}: what still runs ends now with UNAVAILABLE", reason);
        return true;
    }

    /**
     * The drain waits no more, so cannot be forced from now on; returns why it was
     * forced, or {@code null}. A force's interrupt is cleared, not left to the code after
     * the drain.
     */
    private String stopWaiting() {
        synchronized (lock) {
            if (waitingDrain == null) {
                return null;
            }
            waitingDrain = null;
            if (forcedBy != null) {
                Thread.interrupted();
            }
            return forcedBy;
        }
    }

    /**
     * Ends what still runs at the deadline, or at once when {@code forcedBy} is not
     * {@code null}. {@code closingCall} is the method of the call whose handler started
     * the application's close and so runs this drain, or {@code null}: that handler
     * cannot return before the drain does.
     */
    private void endRemainingCalls(Duration gracePeriod, String closingCall, String forcedBy) {
        String why = (forcedBy != null) ? "stop forced by " + forcedBy
                : "grace period " + Durations.describe(gracePeriod) + " expired";
        List<InFlightCall> ended = tracker.endAll(Status.UNAVAILABLE.withDescription("server shutting down: " + why));
        log.warn("gRPC {}: ended {} with UNAVAILABLE{}", why, calls(ended.size()), ended.isEmpty() ? ""
                : ": " + ((forcedBy != null) ? InFlightCalls.describeEach(ended) : InFlightCalls.describe(ended)));
        this.participants.tell("deadlineReached", PARTICIPANT_WAIT,
                (participant) -> participant.deadlineReached(ended));
        // Handlers that honour cancellation return now, and the ended calls' statuses go
        // out before transports close.
        awaitDrained(clock.nanoTime() + FLUSH_WAIT.toNanos(), closingCall);
        target.forceStop();
        int stillRunning = tracker.inFlight() - ((closingCall == null) ? 0 : 1);
        if (stillRunning > 0) {
            log.warn("{} still running after their calls were ended: the handlers ignore cancellation",
                    plural(stillRunning, "handler"));
            if (forcedBy != null) {
                logHandlerStacks();
            }
        }
        if (closingCall != null) {
            log.info("The handler of the call to {} that started the application's close returns once the close "
                    + "is over", closingCall);
        }
    }

    /**
     * Waits until every call has finished (but the one whose handler runs this drain,
     * {@code closingCall}, if not {@code null}) and the target has terminated, or the
     * deadline passes; returns whether all did. Event-driven: it returns as soon as the
     * last call and server are done.
     */
    private boolean awaitDrained(long deadlineNanos, String closingCall) {
        try {
            return tracker.awaitIdle(clock, deadlineNanos, (closingCall == null) ? 0 : 1)
                    && target.awaitTerminated(Duration.ofNanos(Math.max(0, deadlineNanos - clock.nanoTime())));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The drain-delay, from {@code startNanos}; health went out of service just now. A
     * fixed one when the policy has no quiet period or the delay is zero, else one that
     * ends on evidence. Returns how it ended, or {@code null} if it was interrupted.
     */
    private DrainDelay awaitDelay(DrainPolicy policy, Duration delay, long startNanos) {
        if (!policy.delayEndsOnEvidence() || delay.isZero()) {
            return sleepUntil(startNanos + delay.toNanos()) ? DrainDelay.fixed(delay) : null;
        }
        try {
            return new EvidenceDelay(tracker, clock, policy, startNanos, clock.nanoTime()).await(this.delay);
        }
        catch (InterruptedException ex) {
            return null;
        }
    }

    /**
     * Waits until the clock reaches {@code deadlineNanos} unless interrupted; returns
     * false if it was.
     */
    private boolean sleepUntil(long deadlineNanos) {
        try {
            synchronized (delay) {
                while (deadlineNanos - clock.nanoTime() > 0) {
                    clock.awaitOn(delay, deadlineNanos);
                }
            }
            return true;
        }
        catch (InterruptedException ex) {
            return false;
        }
    }

    /** Where each handler still at work is, as an operator who forced the stop needs. */
    private static void logHandlerStacks() {
        Map<Thread, StackTraceElement[]> atWork = HandlerThreads.atWork();
        atWork.forEach((thread, stack) -> log.warn("A handler still at work after the forced stop, on thread {}",
                HandlerThreads.describe(thread, stack)));
    }

    private static String calls(long count) {
        return plural(count, "call");
    }

    private static String streams(long count) {
        return plural(count, "long-lived stream");
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + ((count == 1) ? "" : "s");
    }

    /** The tracker's counts at one moment, or the difference of two. */
    private record Counts(long completed, long failed, long released, long ended, long refused) {

        static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        static Counts of(InFlightCallTracker tracker) {
            return new Counts(tracker.completedCalls(), tracker.failedCalls(), tracker.releasedCalls(),
                    tracker.endedCalls(), tracker.refusedCalls());
        }

        Counts minus(Counts earlier) {
            return new Counts(completed - earlier.completed, failed - earlier.failed, released - earlier.released,
                    ended - earlier.ended, refused - earlier.refused);
        }

    }

}
