package io.github.grpcgraceful.internal.inflight;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.api.InFlightCall;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * One server call, wrapped so that the drain can end it with a status of its choosing
 * while the handler may be using it: every write is serialized with {@link #end(Status)},
 * and what the handler sends after the call was closed is dropped quietly instead of
 * failing inside the handler.
 *
 * <p>
 * The call runs in a cancellable context of its own (a child of the one the server made
 * for it), attached around the listener callbacks in which its handler runs, so that
 * {@link #end(Status)} can cancel the handler's context at once: gRPC would cancel its
 * own only after the handler has returned, as the server closed the call normally as far
 * as the transport is concerned, and no one else can cancel that one (attaching a
 * cancellable context attaches a plain stand-in for it, so {@link Context#current()}
 * never returns it). The context also holds the call itself, which is its
 * {@link DrainSignal}: {@link DrainSignal#current()} finds it wherever the call's context
 * is current, on the handler's thread and in what carries gRPC's context on (a Kotlin
 * coroutine, a {@code Context.wrap}ped task). Which callbacks run in it:
 * <ul>
 * <li>a streaming call's, every one until the last;
 * <li>a unary call's, its start and {@code onHalfClose}, when its request is complete and
 * gRPC's stubs call the method. Its {@code onMessage} only hands the request on, and its
 * {@code onReady} runs handler code only if the handler set an on-ready handler:
 * switching the context around both would cost every unary call some 20 ns;
 * <li>not the last ({@code onComplete} or {@code onCancel}), which comes when the call is
 * over. It runs in the server's context for the call, which holds the server's values,
 * and gRPC cancels that context, and with it the call's own, right after it; but for a
 * call the drain closed, whose end reaches the handler as a cancel in the call's own
 * context, so that what observes the call can tell that the drain ended it.
 * </ul>
 *
 * <p>
 * A call the drain ended or released is over for its handler the way gRPC tells handlers
 * a call is over: its listener gets {@code onCancel()} (so a cancel handler runs, and
 * grpc-kotlin cancels the call's coroutine), never {@code onComplete()}, and
 * {@link #isCancelled()} is true from the moment the drain closed it.
 *
 * <p>
 * One lock, the call's monitor, guards its state: how it was closed, whether it finished
 * and whether the drain began for it, and the handler's drain actions; every write holds
 * it too. The drain thread is the only other party to the handler's writes, so it is
 * hardly ever contended.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>
        implements DrainSignal {

    /** How the call was closed, if it was. */
    private enum Closing {

        OPEN,

        /**
         * Closed by its handler with OK, or finished (the transport reported its end)
         * without being closed.
         */
        CLOSED,

        /** Closed by its handler with a status other than OK. */
        CLOSED_WITH_ERROR,

        CLOSED_BY_DRAIN

    }

    private final Context.CancellableContext context;

    private final ServedMethod method;

    /** When the call started, on {@link System#nanoTime()}'s scale. */
    private final long startNanos;

    /** Guarded by this. */
    private Closing closing = Closing.OPEN;

    /** Whether the transport reported the end; guarded by this. */
    private boolean finished;

    /** Guarded by this. */
    private boolean drainBegan;

    /** The status the drain closed the call with, or {@code null}; guarded by this. */
    private Status endedWith;

    /**
     * The drain actions the handler left for when the drain begins, or {@code null} if it
     * asked for none; guarded by this.
     */
    private List<Runnable> drainActions;

    /**
     * A call in the current context (the server's for it), which its own context holds,
     * with a cancel of its own.
     */
    TrackedCall(ServerCall<ReqT, RespT> delegate, ServedMethod method) {
        super(delegate);
        this.method = method;
        this.startNanos = System.nanoTime();
        this.context = Context.current().withValue(DrainSignal.CONTEXT_KEY, this).withCancellation();
    }

    /**
     * The call's hash in the tracker's set of calls in flight: its start time, which
     * differs from call to call, since the first identity hash of an object is a slow
     * call into the JVM. Two calls are equal only if they are the same call.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(startNanos);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    private static void requireAction(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
    }

    /** The call whose context is current, or {@code null} outside one. */
    static TrackedCall<?, ?> current() {
        return DrainSignal.CONTEXT_KEY.get() instanceof TrackedCall<?, ?> call ? call : null;
    }

    /**
     * The status the drain closed the call whose context is current with, or {@code null}
     * if there is no such call or the drain did not close it. Its context is current
     * while its handler learns of that end, and what observes the call then (the
     * observation of a traced call, as it stops) can say so.
     */
    static Status currentEndedByDrain() {
        TrackedCall<?, ?> call = current();
        if (call == null) {
            return null;
        }
        synchronized (call) {
            return call.endedWith;
        }
    }

    @Override
    public void sendHeaders(Metadata headers) {
        synchronized (this) {
            if (closing == Closing.OPEN) {
                super.sendHeaders(headers);
            }
        }
    }

    @Override
    public void sendMessage(RespT message) {
        synchronized (this) {
            if (closing == Closing.OPEN) {
                super.sendMessage(message);
            }
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        synchronized (this) {
            if (closing == Closing.OPEN) {
                closing = status.isOk() ? Closing.CLOSED : Closing.CLOSED_WITH_ERROR;
                super.close(status, trailers);
            }
        }
    }

    /**
     * Cancelled by its client, or ended or released by the drain: the handler should
     * stop.
     */
    @Override
    public boolean isCancelled() {
        return closedByDrain() || super.isCancelled();
    }

    private synchronized boolean closedByDrain() {
        return closing == Closing.CLOSED_BY_DRAIN;
    }

    /**
     * Closes the call with {@code status} unless it is closed already, and cancels the
     * handler's context; returns whether this closed it.
     */
    boolean end(Status status) {
        synchronized (this) {
            if (closing != Closing.OPEN) {
                return false;
            }
            closing = Closing.CLOSED_BY_DRAIN;
            endedWith = status;
            super.close(status, new Metadata());
        }
        // Outside the lock: cancellation runs the handler's own listeners.
        context.cancel(status.asRuntimeException());
        return true;
    }

    /**
     * The listeners have closed: hands the handler's drain actions to {@code actions} if
     * it asked for the signal, or else releases the call with {@code releaseStatus} if
     * that is not {@code null} (its method is long-lived). Returns whether it released
     * the call.
     */
    boolean drainBegan(Status releaseStatus, DrainActions actions) {
        List<Runnable> asked;
        synchronized (this) {
            if (drainBegan) {
                return false;
            }
            // From now on the drain owns the actions left, and new ones run at once.
            drainBegan = true;
            asked = drainActions;
            drainActions = null;
        }
        if (asked != null) {
            // Asked for the signal: never released early.
            actions.submit(fullMethodName(), context, asked);
            return false;
        }
        return releaseStatus != null && end(releaseStatus);
    }

    @Override
    public synchronized boolean isDraining() {
        return drainBegan;
    }

    /**
     * Keeps {@code action} for when the drain begins, runs it now, on this thread, if it
     * has, or drops it if the call is over and the drain has not begun: the signal never
     * comes for that call.
     */
    @Override
    public void onDrain(Runnable action) {
        requireAction(action);
        synchronized (this) {
            if (!drainBegan) {
                if (!finished) {
                    if (drainActions == null) {
                        drainActions = new ArrayList<>(2);
                    }
                    drainActions.add(action);
                }
                return;
            }
        }
        DrainActions.runLogged(fullMethodName(), context, action);
    }

    /**
     * Starts the call in its own context, as are its listener callbacks while it runs,
     * and returns the listener that wraps the handler's, so that the end of the call,
     * however it comes, finishes the tracking.
     */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        TrackingListener listener = new TrackingListener();
        Context previous = context.attach();
        try {
            listener.delegate = next.startCall(this, headers);
        }
        finally {
            context.detach(previous);
        }
        return listener;
    }

    InFlightCallTracker tracker() {
        return method.tracker();
    }

    String fullMethodName() {
        return getMethodDescriptor().getFullMethodName();
    }

    /** How long the call has run at {@code nowNanos}. */
    long ageNanos(long nowNanos) {
        return nowNanos - startNanos;
    }

    InFlightCall snapshot(long nowNanos) {
        return new InFlightCall(fullMethodName(), Duration.ofNanos(ageNanos(nowNanos)));
    }

    /**
     * Called once: by the listener when the transport reports the end ({@code cancelled}:
     * as cancelled, so that the client did not get the handler's status), or, if the
     * handler threw at start (then gRPC never calls the listener), by the tracker, with
     * {@code cancelled}. A call that ends without having been closed through this wrapper
     * was closed by gRPC itself with {@code UNKNOWN}, as a handler threw: it did not
     * complete with OK. Under the lock, so that an end() racing it (a client cancel at
     * the deadline) either closed the call first or finds it closed: each call is counted
     * once, as completed (with OK or with an error status) or as closed by the drain.
     */
    void finish(boolean cancelled) {
        Closing closed;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            closed = closing;
            if (closing == Closing.OPEN) {
                closing = Closing.CLOSED;
            }
            drainActions = null;
        }
        // No cancel of the call's context here: gRPC cancels its own context for the call
        // once the call has ended (after the last callback, or after a handler that threw
        // at start), and with it this one, its child. Never closed through the call: gRPC
        // closed it itself, with UNKNOWN, after the handler threw.
        method.finished(closed == Closing.CLOSED_BY_DRAIN,
                cancelled || closed == Closing.CLOSED_WITH_ERROR || closed == Closing.OPEN);
        method.tracker().finished(this);
    }

    /**
     * The handler's listener, each callback in the call's context while the call runs;
     * the last one, when the call is over, finishes the tracking. The end of a call the
     * drain closed reaches the handler as a cancel, as gRPC tells a handler that its call
     * is over before it replied.
     */
    private final class TrackingListener extends ServerCall.Listener<ReqT> {

        /**
         * The handler's listener: set once, by {@link #start}, before gRPC sees this
         * listener.
         */
        private ServerCall.Listener<ReqT> delegate;

        @Override
        public void onMessage(ReqT message) {
            if (method.unary()) {
                delegate.onMessage(message);
                return;
            }
            Context previous = context.attach();
            try {
                delegate.onMessage(message);
            }
            finally {
                context.detach(previous);
            }
        }

        @Override
        public void onHalfClose() {
            Context previous = context.attach();
            try {
                delegate.onHalfClose();
            }
            finally {
                context.detach(previous);
            }
        }

        @Override
        public void onReady() {
            if (method.unary()) {
                delegate.onReady();
                return;
            }
            Context previous = context.attach();
            try {
                delegate.onReady();
            }
            finally {
                context.detach(previous);
            }
        }

        @Override
        public void onComplete() {
            // The transport completes a call that the server closed, whoever closed it;
            // the handler of a call the
            // drain closed did not finish it, and learns that it is over as a client's
            // cancel would tell it.
            boolean cancelled = closedByDrain();
            try {
                if (cancelled) {
                    // In the call's context, so that what observes the call learns that
                    // the drain ended it (currentEndedByDrain()).
                    Context previous = context.attach();
                    try {
                        delegate.onCancel();
                    }
                    finally {
                        context.detach(previous);
                    }
                }
                else {
                    delegate.onComplete();
                }
            }
            finally {
                finish(false);
            }
        }

        @Override
        public void onCancel() {
            try {
                delegate.onCancel();
            }
            finally {
                finish(true);
            }
        }

        @Override
        public String toString() {
            return "TrackingListener{" + delegate + "}";
        }

    }

}
