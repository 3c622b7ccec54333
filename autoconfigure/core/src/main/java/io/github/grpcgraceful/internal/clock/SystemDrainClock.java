package io.github.grpcgraceful.internal.clock;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The system's clock: {@link System#nanoTime()}, {@link Instant#now()}, timed waits. */
final class SystemDrainClock implements DrainClock {

    static final DrainClock INSTANCE = new SystemDrainClock();

    private SystemDrainClock() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public void awaitOn(Object monitor, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
    }

}
