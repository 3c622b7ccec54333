package io.github.grpcgraceful.internal.drain;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import io.github.grpcgraceful.internal.engine.Durations;

/**
 * Publishes the drain's events so that no listener can hold up or break the drain: each
 * event goes out on a thread of its own, which the drain waits for only so long, and what
 * a listener throws is logged. The starter's own listeners come first and take
 * microseconds; the wait is for the user's. A listener still running when the drain is
 * over is interrupted ({@link #interruptLate()}), so that no thread of the starter's
 * outlives its context.
 */
final class DrainEvents {

    private static final Logger log = LoggerFactory.getLogger(DrainEvents.class);

    private final ApplicationEventPublisher publisher;

    /** Threads whose listeners had not returned within their wait. */
    private final List<Thread> late = new CopyOnWriteArrayList<>();

    DrainEvents(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    /**
     * Publishes {@code event} and waits at most {@code wait} for its listeners; says so
     * if they did not return.
     */
    void publish(ApplicationEvent event, Duration wait) {
        String name = event.getClass().getSimpleName();
        Thread thread = new Thread(() -> {
            try {
                publisher.publishEvent(event);
            }
            catch (RuntimeException | Error e) {
                log.warn("A listener of {} failed", name, e);
            }
        }, "grpc-drain-events");
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait.toNanos())));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            log.warn("A listener of {} has not returned within {}: the drain goes on without waiting for it", name,
                    Durations.describe(wait));
            late.add(thread);
        }
    }

    /** Interrupts the listeners that are still running, and says so. */
    void interruptLate() {
        for (Thread thread : late) {
            if (thread.isAlive()) {
                thread.interrupt();
                log.warn("Interrupted a listener of the drain's events that was still running after the drain");
            }
        }
        late.clear();
    }

}
