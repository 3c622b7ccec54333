package io.github.grpcgraceful.inflight;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} read with one memory load. The tracker stamps every call with its start, only to order
 * calls and to say how long they have been running; a system clock read per call was a third of the tracker's cost.
 * One daemon thread refreshes the time {@value #TICKS_PER_SECOND} times a second, so a stamp lags the true start by
 * less than {@value #TICK_MILLIS} ms.
 */
final class CoarseClock {

    static final int TICKS_PER_SECOND = 50;
    static final int TICK_MILLIS = 1000 / TICKS_PER_SECOND;

    private static volatile long now = System.nanoTime();

    static {
        Thread ticker = new Thread(CoarseClock::tick, "grpc-graceful-shutdown-clock");
        ticker.setDaemon(true);
        ticker.start();
    }

    private CoarseClock() {
    }

    /** The time of the last tick, on the {@link System#nanoTime()} scale. */
    static long nanoTime() {
        return now;
    }

    private static void tick() {
        while (true) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            now = System.nanoTime();
        }
    }
}
