package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC exchanges the servlet container has not finished yet: on gRPC over a servlet
 * container a handler's close only hands the reply to the container, which writes it on a
 * thread of its own. The container's adapter tells it when an exchange starts and when
 * the container has written its response to the end; the drain of the servlet container
 * ends only when none is left, so that the container's own shutdown, which comes next,
 * never cuts a reply the drain counted. Spring-free.
 */
public final class ContainerExchanges {

    /** Guarded by this. */
    private long open;

    /** An exchange reached the application. */
    public synchronized void started() {
        open++;
    }

    /** The container has written the response of an exchange to its end. */
    public synchronized void finished() {
        open--;
        if (open <= 0) {
            notifyAll();
        }
    }

    /** The exchanges the container has not finished yet. */
    public synchronized long open() {
        return open;
    }

    /**
     * Waits until the container has finished every exchange, at most {@code timeout};
     * returns whether it has.
     */
    synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        while (open > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

}
