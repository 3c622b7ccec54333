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
 * One server call, wrapped so that the drain can end it with a status of its choosing while the handler may be
 * using it: every write is serialized with {@link #end(Status)}, and what the handler sends after the call was closed
 * is dropped quietly instead of failing inside the handler.
 *
 * <p>The call runs in a cancellable context of its own (a child of the one the server made for it), attached around
 * the listener callbacks in which its handler runs, so that {@link #end(Status)} can cancel the handler's context at
 * once: gRPC would cancel its own only after the handler has returned, as the server closed the call normally as far
 * as the transport is concerned, and no one else can cancel that one (attaching a cancellable context attaches a plain
 * stand-in for it, so {@link Context#current()} never returns it). Around the same callbacks the call's listener is
 * the thread's current one, so that {@link DrainSignal#current()} finds it; a value in the context would cost 96 B
 * more per call (a context and a node of its value map). Which callbacks those are:
 * <ul>
 * <li>a streaming call's, every one until the last;
 * <li>a unary call's, its start and {@code onHalfClose}, when its request is complete and gRPC's stubs call the
 * method (the thread's current call is set in the second only). Its {@code onMessage} only hands the request on,
 * and its {@code onReady} runs handler code only if the handler set an on-ready handler: switching the context and
 * the current call around both would cost every unary call some 40 ns;
 * <li>not the last ({@code onComplete} or {@code onCancel}), which comes when the call is over. It runs in the
 * server's context for the call, which holds the same values, and gRPC cancels that context, and with it the call's
 * own, right after it.
 * </ul>
 *
 * <p>Each field counts: 100,000 idle calls in flight are 100,000 of these and of their listeners. So the call holds
 * only its delegate, its context and one {@code int} of state, and is 24 B; its listener holds the handler's listener,
 * the call and the method, and is 24 B too; the call's start time sits in its slot of the {@link CallRegistry}.
 *
 * <p>One lock, the call's monitor, guards its state: writes, the end, the finish and the drain signal. The drain
 * thread is the only other party to the handler's writes, so it is hardly ever contended.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    /**
     * The listener whose callback runs on this thread, set and restored around each callback, as gRPC's Context is:
     * in a one-element array per thread, so that a callback looks the thread's map up once instead of three times.
     * The array is a JDK type, so a pool thread that outlives the application keeps no class of the starter's alive.
     */
    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[1]);

    // The state word: how the call was closed, four flags, and the call's place in its registry.
    private static final int CLOSE_MASK = 3;
    private static final int OPEN = 0;
    /** Closed by its handler, or finished (the transport reported its end) without being closed by the drain. */
    private static final int CLOSED = 1;
    private static final int CLOSED_BY_DRAIN = 2;
    /** The transport reported the end. */
    private static final int FINISHED = 1 << 2;
    private static final int DRAIN_BEGAN = 1 << 3;
    /** Set at construction: the drain releases the call when the listeners close. */
    private static final int LONG_LIVED = 1 << 4;
    /** The handler left drain actions in the registry. */
    private static final int HAS_ACTIONS = 1 << 5;
    private static final int PLACE_SHIFT = 6;
    /** Bits of the call's place in its registry: its stripe and slot, set at construction, never changed. */
    static final int PLACE_BITS = Integer.SIZE - PLACE_SHIFT;

    /**
     * Start times are kept in units of 2^20 ns (about 1 ms), which orders and times calls that run for less than 26
     * days, in an {@code int}.
     */
    private static final int TICK_SHIFT = 20;

    private final Context.CancellableContext context;
    /** How the call was closed, its flags and its place (above); guarded by this. */
    private int state;

    TrackedCall(ServerCall<ReqT, RespT> delegate, Context.CancellableContext context, int place, boolean longLived) {
        super(delegate);
        this.context = context;
        this.state = place << PLACE_SHIFT | (longLived ? LONG_LIVED : 0);
    }

    static void requireAction(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
    }

    static int tick(long nanos) {
        return (int) (nanos >>> TICK_SHIFT);
    }

    /** The signal of the call whose handler or listener runs on this thread now, or {@code null} outside one. */
    static DrainSignal current() {
        return (DrainSignal) CURRENT.get()[0];
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
                state |= CLOSED;
                super.close(status, trailers);
            }
        }
    }

    /**
     * Closes the call with {@code status} unless it is closed already, and cancels the handler's context; returns
     * whether this closed it.
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
     * The listeners have closed: hands the handler's drain actions, taken from {@code registry}, to {@code actions}
     * if it asked for the signal, or else releases the call with {@code releaseStatus} if its method is long-lived.
     * Returns whether it released the call.
     */
    boolean drainBegan(Status releaseStatus, DrainActions actions, CallRegistry registry) {
        int before;
        synchronized (this) {
            before = state;
            if ((before & DRAIN_BEGAN) != 0) {
                return false;
            }
            // From now on the drain owns the actions left in the registry, and new ones run at once.
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
        return (before & LONG_LIVED) != 0 && end(releaseStatus);
    }

    synchronized boolean isDraining() {
        return (state & DRAIN_BEGAN) != 0;
    }

    /**
     * Keeps {@code action} in {@code registry} for when the drain begins, runs it now, on this thread, if it has, or
     * drops it if the call is over and the drain has not begun: the signal never comes for that call.
     */
    void onDrain(Runnable action, CallRegistry registry) {
        requireAction(action);
        synchronized (this) {
            if ((state & DRAIN_BEGAN) == 0) {
                if ((state & FINISHED) == 0) {
                    registry.keepDrainAction(this, action);
                    state |= HAS_ACTIONS;
                }
                return;
            }
        }
        DrainActions.runLogged(fullMethodName(), context, action);
    }

    /**
     * Starts the call in its own context, as are its listener callbacks while it runs, and returns the listener that
     * wraps the handler's, so that the end of the call, however it comes, finishes the tracking.
     */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next, ServedMethod method) {
        TrackingListener listener = new TrackingListener(method);
        if (method.unary()) {
            // Its handler runs when the request is complete; the thread's current call is set for that callback.
            Context previous = context.attach();
            try {
                listener.delegate = next.startCall(this, headers);
            } finally {
                context.detach(previous);
            }
            return listener;
        }
        Object[] current = CURRENT.get();
        Object outer = current[0];
        current[0] = listener;
        Context previous = context.attach();
        try {
            listener.delegate = next.startCall(this, headers);
        } finally {
            context.detach(previous);
            current[0] = outer;
        }
        return listener;
    }

    private String fullMethodName() {
        return getMethodDescriptor().getFullMethodName();
    }

    InFlightCall snapshot(int ageTicks) {
        return new InFlightCall(fullMethodName(), Duration.ofNanos((long) ageTicks << TICK_SHIFT));
    }

    /**
     * Called once: by the listener when the transport reports the end, or, if the handler threw at start (then gRPC
     * never calls the listener), by the tracker. Under the lock, so that an end() racing it (a client cancel at the
     * deadline) either closed the call first or finds it closed: each call is counted once, as completed or as
     * closed by the drain.
     */
    void finish(ServedMethod method) {
        int before;
        synchronized (this) {
            before = state;
            if ((before & FINISHED) != 0) {
                return;
            }
            int closed = (before & CLOSE_MASK) == OPEN ? CLOSED : before & CLOSE_MASK;
            state = (before & ~(CLOSE_MASK | HAS_ACTIONS)) | closed | FINISHED;
        }
        // No cancel of the call's context here: gRPC cancels its own context for the call once the call has ended
        // (after the last callback, or after a handler that threw at start), and with it this one, its child.
        method.finished((before & CLOSE_MASK) == CLOSED_BY_DRAIN);
        method.tracker().finished(this, before >>> PLACE_SHIFT, (before & HAS_ACTIONS) != 0);
    }

    /**
     * The handler's listener, each callback in the call's context while the call runs; the last one, when the call is
     * over, finishes the tracking. It is also the call's {@link DrainSignal}, which needs the method's tracker.
     */
    private final class TrackingListener extends ServerCall.Listener<ReqT> implements DrainSignal {

        private final ServedMethod method;
        /** The handler's listener: set once, by {@link #start}, before gRPC sees this listener. */
        private ServerCall.Listener<ReqT> delegate;

        TrackingListener(ServedMethod method) {
            this.method = method;
        }

        @Override
        public boolean isDraining() {
            return TrackedCall.this.isDraining();
        }

        @Override
        public void onDrain(Runnable action) {
            TrackedCall.this.onDrain(action, method.tracker().registry());
        }

        @Override
        public void onMessage(ReqT message) {
            if (method.unary()) {
                delegate.onMessage(message);
                return;
            }
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = this;
            Context previous = context.attach();
            try {
                delegate.onMessage(message);
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onHalfClose() {
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = this;
            Context previous = context.attach();
            try {
                delegate.onHalfClose();
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onReady() {
            if (method.unary()) {
                delegate.onReady();
                return;
            }
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = this;
            Context previous = context.attach();
            try {
                delegate.onReady();
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onComplete() {
            try {
                delegate.onComplete();
            } finally {
                finish(method);
            }
        }

        @Override
        public void onCancel() {
            try {
                delegate.onCancel();
            } finally {
                finish(method);
            }
        }

        @Override
        public String toString() {
            return "TrackingListener{" + delegate + "}";
        }
    }
}
