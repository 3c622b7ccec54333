package io.github.grpcgraceful.internal.inflight;

import java.time.Duration;
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
 * and gRPC cancels that context, and with it the call's own, right after it.
 * </ul>
 *
 * <p>
 * A call the drain ended or released is over for its handler the way gRPC tells handlers
 * a call is over: its listener gets {@code onCancel()} (so a cancel handler runs, and
 * grpc-kotlin cancels the call's coroutine), never {@code onComplete()}, and
 * {@link #isCancelled()} is true from the moment the drain closed it.
 *
 * <p>
 * Each field counts: 100,000 idle calls in flight are 100,000 of these and of their
 * listeners. So the call holds its delegate, its context, its method and one {@code int}
 * of state, and is 32 B; its listener holds the handler's listener and the call, and is
 * 24 B; the call's start time sits in its slot of the {@link CallRegistry}.
 *
 * <p>
 * One lock, the call's monitor, guards its state: writes, the end, the finish and the
 * drain signal. The drain thread is the only other party to the handler's writes, so it
 * is hardly ever contended.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>
        implements DrainSignal {

    // The state word: how the call was closed, three flags, and the call's place in its
    // registry.
    private static final int CLOSE_MASK = 3;

    private static final int OPEN = 0;

    /**
     * Closed by its handler with OK, or finished (the transport reported its end) without
     * being closed.
     */
    private static final int CLOSED = 1;

    private static final int CLOSED_BY_DRAIN = 2;

    /** Closed by its handler with a status other than OK. */
    private static final int CLOSED_WITH_ERROR = 3;

    /** The transport reported the end. */
    private static final int FINISHED = 1 << 2;

    private static final int DRAIN_BEGAN = 1 << 3;

    /** The handler left drain actions in the registry. */
    private static final int HAS_ACTIONS = 1 << 4;

    private static final int PLACE_SHIFT = 5;

    /**
     * Bits of the call's place in its registry: its stripe and slot, set at construction,
     * never changed.
     */
    static final int PLACE_BITS = Integer.SIZE - PLACE_SHIFT;

    /**
     * Start times are kept in units of 2^20 ns (about 1 ms), which orders and times calls
     * that run for less than 26 days, in an {@code int}.
     */
    private static final int TICK_SHIFT = 20;

    private final Context.CancellableContext context;

    private final ServedMethod method;

    /** How the call was closed, its flags and its place (above); guarded by this. */
    private int state;

    /**
     * A call in the current context (the server's for it), which its own context holds,
     * with a cancel of its own.
     */
    TrackedCall(ServerCall<ReqT, RespT> delegate, ServedMethod method, int place) {
        super(delegate);
        this.method = method;
        this.context = Context.current().withValue(DrainSignal.CONTEXT_KEY, this).withCancellation();
        this.state = place << PLACE_SHIFT;
    }

    private static void requireAction(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
    }

    static int tick(long nanos) {
        return (int) (nanos >>> TICK_SHIFT);
    }

    /** The call whose context is current, or {@code null} outside one. */
    static TrackedCall<?, ?> current() {
        return DrainSignal.CONTEXT_KEY.get() instanceof TrackedCall<?, ?> call ? call : null;
    }

    @Override
    public void sendHeaders(Metadata headers) {
        synchronized (this) {
            if ((state & CLOSE_MASK) == OPEN) {
                super.sendHeaders(headers);
            }
        }
    }

    @Override
    public void sendMessage(RespT message) {
        synchronized (this) {
            if ((state & CLOSE_MASK) == OPEN) {
                super.sendMessage(message);
            }
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        synchronized (this) {
            if ((state & CLOSE_MASK) == OPEN) {
                state |= status.isOk() ? CLOSED : CLOSED_WITH_ERROR;
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
        return (state & CLOSE_MASK) == CLOSED_BY_DRAIN;
    }

    /**
     * Closes the call with {@code status} unless it is closed already, and cancels the
     * handler's context; returns whether this closed it.
     */
    boolean end(Status status) {
        synchronized (this) {
            if ((state & CLOSE_MASK) != OPEN) {
                return false;
            }
            state |= CLOSED_BY_DRAIN;
            super.close(status, new Metadata());
        }
        // Outside the lock: cancellation runs the handler's own listeners.
        context.cancel(status.asRuntimeException());
        return true;
    }

    /**
     * The listeners have closed: hands the handler's drain actions, taken from
     * {@code registry}, to {@code actions} if it asked for the signal, or else releases
     * the call with {@code releaseStatus} if that is not {@code null} (its method is
     * long-lived). Returns whether it released the call.
     */
    boolean drainBegan(Status releaseStatus, DrainActions actions, CallRegistry registry) {
        int before;
        synchronized (this) {
            before = state;
            if ((before & DRAIN_BEGAN) != 0) {
                return false;
            }
            // From now on the drain owns the actions left in the registry, and new ones
            // run at once.
            state = (before | DRAIN_BEGAN) & ~HAS_ACTIONS;
        }
        if ((before & HAS_ACTIONS) != 0) {
            // Asked for the signal: never released early, even with no action left.
            List<Runnable> registered = registry.takeDrainActions(this);
            if (!registered.isEmpty()) {
                actions.submit(fullMethodName(), context, registered);
            }
            return false;
        }
        return releaseStatus != null && end(releaseStatus);
    }

    @Override
    public synchronized boolean isDraining() {
        return (state & DRAIN_BEGAN) != 0;
    }

    /**
     * Keeps {@code action} in the registry for when the drain begins, runs it now, on
     * this thread, if it has, or drops it if the call is over and the drain has not
     * begun: the signal never comes for that call.
     */
    @Override
    public void onDrain(Runnable action) {
        requireAction(action);
        synchronized (this) {
            if ((state & DRAIN_BEGAN) == 0) {
                if ((state & FINISHED) == 0) {
                    method.tracker().registry().keepDrainAction(this, action);
                    state |= HAS_ACTIONS;
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

    InFlightCall snapshot(int ageTicks) {
        return new InFlightCall(fullMethodName(), Duration.ofNanos((long) ageTicks << TICK_SHIFT));
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
        int before;
        synchronized (this) {
            before = state;
            if ((before & FINISHED) != 0) {
                return;
            }
            int closed = (before & CLOSE_MASK) == OPEN ? CLOSED : before & CLOSE_MASK;
            state = (before & ~(CLOSE_MASK | HAS_ACTIONS)) | closed | FINISHED;
        }
        // No cancel of the call's context here: gRPC cancels its own context for the call
        // once the call has ended (after the last callback, or after a handler that threw
        // at start), and with it this one, its child. Never closed through the call: gRPC
        // closed it itself, with UNKNOWN, after the handler threw.
        int closed = before & CLOSE_MASK;
        method.finished(closed == CLOSED_BY_DRAIN, cancelled || closed == CLOSED_WITH_ERROR || closed == OPEN);
        method.tracker().finished(this, before >>> PLACE_SHIFT, (before & HAS_ACTIONS) != 0);
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
                    delegate.onCancel();
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
