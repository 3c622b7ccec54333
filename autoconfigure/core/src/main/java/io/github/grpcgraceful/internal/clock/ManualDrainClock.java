package io.github.grpcgraceful.internal.clock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that stands still until a test moves it: what waits on it for a deadline wakes
 * when {@link #advance} reaches it, so a drain of 30 s takes no 30 s. For tests: the
 * engine's own, and those of applications, through {@code grpc-graceful-shutdown-test}.
 */
public final class ManualDrainClock implements DrainClock {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** Guards {@link #nanos}. */
    private final Object lock = new Object();

    private long nanos;

    /** The monitors waited on now, once per waiting thread, to notify when time moves. */
    private final List<Object> waiting = new CopyOnWriteArrayList<>();

    /** The deadlines waited for now, once per waiting thread. */
    private final List<Long> deadlines = new CopyOnWriteArrayList<>();

    /**
     * How far a wait moves the clock on per millisecond of real time once it runs freely.
     */
    private static final long FREE_STEP_NANOS = Duration.ofMillis(100).toNanos();

    /** Whether the clock runs by itself, a hundred times as fast as real time. */
    private volatile boolean running;

    @Override
    public long nanoTime() {
        synchronized (this.lock) {
            return this.nanos;
        }
    }

    @Override
    public Instant instant() {
        return START.plusNanos(nanoTime());
    }

    @Override
    public void awaitOn(Object monitor, long deadlineNanos) throws InterruptedException {
        if (this.running) {
            // What the wait is for (a participant's return, a call's end) still has real
            // time to come; no other waiter is notified, so no two monitors are ever
            // held.
            monitor.wait(1);
            synchronized (this.lock) {
                this.nanos += Math.max(0, Math.min(deadlineNanos - this.nanos, FREE_STEP_NANOS));
            }
            return;
        }
        // Registered before the time is read, so that an advance in between notifies it.
        this.waiting.add(monitor);
        this.deadlines.add(deadlineNanos);
        try {
            if (deadlineNanos - nanoTime() > 0) {
                monitor.wait();
            }
        }
        finally {
            this.waiting.remove(monitor);
            this.deadlines.remove((Long) deadlineNanos);
        }
    }

    /**
     * Whether a thread waits for this clock to reach {@code at} (from its start): how a
     * test knows that what it drives has come to a wait.
     */
    public boolean isWaitedFor(Duration at) {
        return this.deadlines.contains(at.toNanos());
    }

    /**
     * The earliest deadline a thread waits for now, from the clock's start, or
     * {@code null} if none waits.
     */
    public Duration nextWaitedFor() {
        return this.deadlines.stream().min(Long::compare).map(Duration::ofNanos).orElse(null);
    }

    /** How far the clock has moved since its start. */
    public Duration elapsed() {
        return Duration.ofNanos(nanoTime());
    }

    /**
     * From now on the clock runs by itself, a hundred times as fast as real time, as long
     * as something waits on it: a drain-delay of 5 s passes in some 50 ms. For the close
     * of a test's context, whose drain no test drives.
     */
    public void runFreely() {
        this.running = true;
        // Wakes what waits now, so that it waits again on the running clock.
        advance(Duration.ZERO);
    }

    /** Moves the clock on by {@code duration}, and wakes what waits on it. */
    public void advance(Duration duration) {
        synchronized (this.lock) {
            this.nanos += duration.toNanos();
        }
        for (Object monitor : this.waiting) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

}
