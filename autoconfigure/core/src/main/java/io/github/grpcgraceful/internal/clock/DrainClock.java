package io.github.grpcgraceful.internal.clock;

import java.time.Instant;

/**
 * Where the drain reads time and waits for it to pass, so that a test can drive it with a
 * clock of its own instead of waiting: the system's ({@link #system()}) in production.
 */
public interface DrainClock {

    /** Now, in nanoseconds on this clock's own scale, for deadlines and durations. */
    long nanoTime();

    /** Now, as an instant, for what the drain reports. */
    Instant instant();

    /**
     * Waits on {@code monitor}, which the caller holds, until it is notified or this
     * clock reaches {@code deadlineNanos}; may return early, so the caller checks again.
     * @param monitor the monitor held by the caller
     * @param deadlineNanos when to stop waiting, on this clock's scale
     * @throws InterruptedException if the thread is interrupted
     */
    void awaitOn(Object monitor, long deadlineNanos) throws InterruptedException;

    /**
     * The system's clock: {@link System#nanoTime()}, {@link Instant#now()}, timed waits.
     */
    static DrainClock system() {
        return SystemDrainClock.INSTANCE;
    }

}
