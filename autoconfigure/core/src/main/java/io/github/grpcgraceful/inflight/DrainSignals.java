package io.github.grpcgraceful.inflight;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executor;

import io.grpc.Context;

/**
 * The drain signals of calls, by the context the call's handler runs in. Nothing is stored for a call until its
 * handler asks for the signal or the drain begins, and an entry goes when its call ends (the server cancels the
 * call's context then), so a call on a server without graceful shutdown, whose drain never begins, leaves nothing
 * behind. Keys are weak as well, for a context that is never cancelled.
 */
final class DrainSignals {

    /** What {@link #drainBegan} returns for a call whose drain had begun already. */
    static final List<Runnable> ALREADY_BEGAN = List.of();

    private static final Map<Context.CancellableContext, Signal> SIGNALS = new WeakHashMap<>(); // guarded by itself
    private static final Context.CancellationListener FORGET = DrainSignals::forget;
    private static final Executor DIRECT = Runnable::run;

    private DrainSignals() {
    }

    /**
     * Marks the drain begun for the call of {@code method} running in {@code context}. Returns the actions its handler
     * registered (an empty list if it asked for the signal without any left), {@code null} if it never asked, or
     * {@link #ALREADY_BEGAN}.
     */
    static List<Runnable> drainBegan(Context.CancellableContext context, String method) {
        synchronized (SIGNALS) {
            Signal signal = SIGNALS.get(context);
            if (signal != null) {
                if (signal.drainBegan) {
                    return ALREADY_BEGAN;
                }
                signal.drainBegan = true;
                signal.method = method;
                List<Runnable> actions = signal.actions;
                signal.actions = null;
                return actions;
            }
            Signal begun = new Signal(true);
            begun.method = method;
            SIGNALS.put(context, begun);
        }
        forgetWhenCancelled(context);
        return null;
    }

    /** Whether the drain has begun for the call running in {@code context}. */
    static boolean isDraining(Context.CancellableContext context) {
        synchronized (SIGNALS) {
            Signal signal = SIGNALS.get(context);
            return signal != null && signal.drainBegan;
        }
    }

    /** Keeps {@code action} for when the drain begins, or runs it now, on this thread, if it has. */
    static void onDrain(Context.CancellableContext context, Runnable action) {
        boolean added;
        String method = null;
        synchronized (SIGNALS) {
            Signal signal = SIGNALS.get(context);
            added = signal == null;
            if (added) {
                signal = new Signal(false);
                SIGNALS.put(context, signal);
            }
            if (!signal.drainBegan) {
                signal.actions.add(action);
                action = null;
            }
            method = signal.method;
        }
        if (added) {
            forgetWhenCancelled(context);
        }
        if (action != null) {
            DrainActions.runLogged(method, context, action);
        }
    }

    /** Outside the lock: on a context cancelled already, the listener runs at once. */
    private static void forgetWhenCancelled(Context.CancellableContext context) {
        context.addListener(FORGET, DIRECT);
    }

    private static void forget(Context context) {
        synchronized (SIGNALS) {
            SIGNALS.remove(context);
        }
    }

    /** Signals kept now, for tests. */
    static int size() {
        synchronized (SIGNALS) {
            return SIGNALS.size();
        }
    }

    private static final class Signal {

        boolean drainBegan;
        List<Runnable> actions; // null once the drain has begun
        String method; // set when the drain begins, for the log of an action that fails

        Signal(boolean drainBegan) {
            this.drainBegan = drainBegan;
            this.actions = drainBegan ? null : new ArrayList<>(2);
        }
    }
}
