package io.github.grpcgraceful.internal.inflight;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Context;

/**
 * Runs the handlers' drain actions of one drain off the draining thread, a few at a time,
 * so that an action that blocks or throws can neither hold up the drain's deadline nor
 * break it. Its threads end with the drain: {@link #close()} interrupts the actions still
 * running and names their methods.
 */
final class DrainActions {

    private static final Logger log = LoggerFactory.getLogger(DrainActions.class);

    /**
     * Actions are meant to take microseconds; a few threads keep one that blocks from
     * holding up the others.
     */
    private static final int THREADS = 4;

    private final ThreadPoolExecutor executor;

    /** The actions submitted and not yet returned, with the method each belongs to. */
    private final Map<Runnable, String> pending = new ConcurrentHashMap<>();

    DrainActions() {
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "grpc-drain-signal-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs each of {@code actions} of the call of {@code method}, in the call's context,
     * on a thread of this drain.
     */
    void submit(String method, Context.CancellableContext context, List<Runnable> actions) {
        for (Runnable action : actions) {
            Runnable task = new Runnable() {
                @Override
                public void run() {
                    try {
                        runLogged(method, context, action);
                    }
                    finally {
                        pending.remove(this);
                    }
                }
            };
            pending.put(task, method);
            try {
                executor.execute(task);
            }
            catch (RejectedExecutionException e) {
                // The drain is over: no thread of ours is left to run it on.
                pending.remove(task);
                log.warn("A drain action of {} came after the drain ended and was not run", method);
            }
        }
    }

    /**
     * Stops this drain's threads, interrupting the actions still running; a warning names
     * their methods.
     */
    void close() {
        List<String> methods = pending.values().stream().sorted().toList();
        executor.shutdownNow();
        if (!methods.isEmpty()) {
            log.warn("{} drain action(s) had not returned when the drain ended and were interrupted: {}",
                    methods.size(), String.join(", ", methods));
        }
    }

    /**
     * Runs a handler's drain action in its call's context; what it throws is logged with
     * its method, not propagated.
     */
    static void runLogged(String method, Context.CancellableContext context, Runnable action) {
        try {
            context.run(action);
        }
        catch (RuntimeException | Error e) {
            log.warn("A drain action of {} failed", method, e);
        }
    }

}
