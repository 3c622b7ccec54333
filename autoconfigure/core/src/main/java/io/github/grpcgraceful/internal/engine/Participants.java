package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.grpcgraceful.internal.clock.DrainClock;

/**
 * The drain's participants, told of each step in their order, so that none can hold up or
 * break the drain: each runs its step on a thread of its own, which the drain waits for
 * only up to a bound on its clock; what one throws goes to the one error hook
 * ({@link #failed}), and the next is told. A step still running when the drain is over is
 * interrupted ({@link #interruptLate()}), so that no thread of the starter's outlives the
 * drain.
 */
final class Participants {

    private static final Logger log = LoggerFactory.getLogger(Participants.class);

    private final List<DrainParticipant> participants;

    private final DrainClock clock;

    /**
     * Where each step runs: a thread of its own, so that a late one can be left behind.
     */
    private final ThreadFactory threads;

    /** Steps that had not returned within their bound. */
    private final List<Step> late = new CopyOnWriteArrayList<>();

    Participants(List<DrainParticipant> participants, DrainClock clock, ThreadFactory threads) {
        this.participants = List.copyOf(participants);
        this.clock = clock;
        this.threads = threads;
    }

    /** Daemon threads named {@code grpc-drain-participant}: the engine's default. */
    static Thread daemonThread(Runnable step) {
        Thread thread = new Thread(step, "grpc-drain-participant");
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Tells each participant in turn, waiting for each at most {@code bound}; returns
     * when all have returned or been left behind.
     */
    void tell(String step, Duration bound, Consumer<DrainParticipant> action) {
        boolean interrupted = false;
        for (DrainParticipant participant : this.participants) {
            Step running = new Step(participant, step, action);
            Thread thread = this.threads.newThread(running);
            running.thread = thread;
            // Its bound counts from before it starts: what it does cannot move the
            // deadline.
            long deadlineNanos = this.clock.nanoTime() + bound.toNanos();
            thread.start();
            try {
                if (interrupted || !running.awaitDone(this.clock, deadlineNanos)) {
                    this.late.add(running);
                    if (!interrupted) {
                        log.warn("The drain's {} step has not returned within {} in {}: the drain goes on "
                                + "without waiting for it", step, Durations.describe(bound), participant);
                    }
                }
            }
            catch (InterruptedException ex) {
                // The drain was interrupted: the others are still told, without waiting.
                interrupted = true;
                this.late.add(running);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Interrupts the steps that are still running, and says so. */
    void interruptLate() {
        for (Step step : this.late) {
            if (step.thread.isAlive()) {
                step.thread.interrupt();
                log.warn("Interrupted the drain's {} step in {}: it was still running after the drain", step.name,
                        step.participant);
            }
        }
        this.late.clear();
    }

    /** The one error hook: what a participant threw is logged, and the drain goes on. */
    private static void failed(DrainParticipant participant, String step, Throwable error) {
        log.warn("The drain's {} step failed in {}; the drain goes on", step, participant, error);
    }

    /** One participant's step, on its own thread. */
    private static final class Step implements Runnable {

        private final DrainParticipant participant;

        private final String name;

        private final Consumer<DrainParticipant> action;

        /** Set before the thread starts. */
        private volatile Thread thread;

        /** Guarded by this step's monitor. */
        private boolean done;

        Step(DrainParticipant participant, String name, Consumer<DrainParticipant> action) {
            this.participant = participant;
            this.name = name;
            this.action = action;
        }

        @Override
        public void run() {
            try {
                this.action.accept(this.participant);
            }
            catch (RuntimeException | Error ex) {
                failed(this.participant, this.name, ex);
            }
            finally {
                synchronized (this) {
                    this.done = true;
                    notifyAll();
                }
            }
        }

        /**
         * Waits until the step is done or the clock reaches the deadline; returns whether
         * it is done.
         */
        synchronized boolean awaitDone(DrainClock clock, long deadlineNanos) throws InterruptedException {
            while (!this.done && deadlineNanos - clock.nanoTime() > 0) {
                clock.awaitOn(this, deadlineNanos);
            }
            return this.done;
        }

    }

}
