package io.github.grpcgraceful.internal.inflight;

import io.github.grpcgraceful.api.InFlightCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.grpcgraceful.api.DrainSignal;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
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
 * stand-in for it, so {@link Context#current()} never returns it). Around the same callbacks the call is the thread's
 * current one, so that {@link DrainSignal#current()} finds it; a value in the context would cost 96 B more per call (a
 * context and a node of its value map). Which callbacks those are:
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
 * <p>One lock, the call's monitor, guards its state: writes, the end, the finish and its drain signal. The drain
 * thread is the only other party to the handler's writes, so it is hardly ever contended.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>
        implements DrainSignal {

    /**
     * The call whose callback runs on this thread, set and restored around each callback, as gRPC's Context is: in a
     * one-element array per thread, so that a callback looks the thread's map up once instead of three times. The
     * array is a JDK type, so a pool thread that outlives the application keeps no class of the starter's alive.
     */
    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[1]);
    private static final byte OPEN = 0;
    /** Closed by its handler, or finished (the transport reported its end) without being closed by the drain. */
    private static final byte CLOSED = 1;
    private static final byte CLOSED_BY_DRAIN = 2;
    private static final byte FINISHED = 1;
    private static final byte DRAIN_BEGAN = 2;
    private static final byte LONG_LIVED = 4;

    /**
     * Each field counts: 100,000 idle calls in flight are 100,000 of these. So the method sits in the listener, whose
     * object has room for it, and the start time in units of 2^20 ns (about 1 ms), which orders and times calls that
     * run for less than 26 days: the call is 40 B, the listener 24 B.
     */
    private static final int TICK_SHIFT = 20;

    private final Context.CancellableContext context;
    private final int startTick = tick(System.nanoTime());
    /** This call's neighbours in its tracker's {@link CallRegistry} and its stripe there, guarded by the stripe. */
    TrackedCall<?, ?> previous;
    TrackedCall<?, ?> next;
    byte stripe;
    /** {@link #OPEN}, {@link #CLOSED} or {@link #CLOSED_BY_DRAIN}; guarded by this. */
    private byte state;
    /**
     * {@link #FINISHED} (the transport reported the end), {@link #DRAIN_BEGAN} and {@link #LONG_LIVED} (set at
     * construction): one byte where three booleans would make the call 8 B larger. Guarded by this.
     */
    private byte flags;
    /** The handler's drain actions, from its first {@link #onDrain}; {@code null} if it never asked. Guarded by this. */
    private List<Runnable> drainActions;

    TrackedCall(ServerCall<ReqT, RespT> delegate, boolean longLived) {
        super(delegate);
        this.flags = longLived ? LONG_LIVED : 0;
        this.context = Context.current().withCancellation();
    }

    static void requireAction(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
    }

    static int tick(long nanos) {
        return (int) (nanos >>> TICK_SHIFT);
    }

    /** The call whose handler or listener runs on this thread now, or {@code null} outside a tracked call. */
    static TrackedCall<?, ?> current() {
        return (TrackedCall<?, ?>) CURRENT.get()[0];
    }

    @Override
    public void sendHeaders(Metadata headers) {
        synchronized (this) {
            if (state == OPEN) {
                super.sendHeaders(headers);
            }
        }
    }

    @Override
    public void sendMessage(RespT message) {
        synchronized (this) {
            if (state == OPEN) {
                super.sendMessage(message);
            }
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        synchronized (this) {
            if (state == OPEN) {
                state = CLOSED;
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
            if (state != OPEN) {
                return false;
            }
            state = CLOSED_BY_DRAIN;
            super.close(status, new Metadata());
        }
        // Outside the lock: cancellation runs the handler's own listeners.
        context.cancel(status.asRuntimeException());
        return true;
    }

    /**
     * The listeners have closed: hands the handler's drain actions to {@code actions} if it asked for the signal, or
     * else releases the call with {@code releaseStatus} if its method is long-lived. Returns whether it released the
     * call.
     */
    boolean drainBegan(Status releaseStatus, DrainActions actions) {
        List<Runnable> registered;
        boolean longLived;
        synchronized (this) {
            if ((flags & DRAIN_BEGAN) != 0) {
                return false;
            }
            flags |= DRAIN_BEGAN;
            registered = drainActions;
            drainActions = null;
            if (registered != null && (flags & FINISHED) != 0) {
                return false;
            }
            longLived = (flags & LONG_LIVED) != 0;
        }
        if (registered != null) {
            // Asked for the signal: never released early, even with no action left.
            if (!registered.isEmpty()) {
                actions.submit(fullMethodName(), context, registered);
            }
            return false;
        }
        return longLived && end(releaseStatus);
    }

    /** Whether the drain has begun for this call. */
    @Override
    public synchronized boolean isDraining() {
        return (flags & DRAIN_BEGAN) != 0;
    }

    /** Keeps {@code action} for when the drain begins, or runs it now, on this thread, if it has. */
    @Override
    public void onDrain(Runnable action) {
        requireAction(action);
        synchronized (this) {
            if ((flags & DRAIN_BEGAN) == 0) {
                if (drainActions == null) {
                    drainActions = new ArrayList<>(2);
                }
                drainActions.add(action);
                return;
            }
        }
        DrainActions.runLogged(fullMethodName(), context, action);
    }

    /**
     * Starts the call in its own context, as are its listener callbacks while it runs, and returns the handler's
     * listener wrapped so that the end of the call, however it comes, finishes the tracking.
     */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next, ServedMethod method) {
        if (method.unary()) {
            // Its handler runs when the request is complete; the thread's current call is set for that callback.
            Context previous = context.attach();
            try {
                return new TrackingListener(next.startCall(this, headers), method);
            } finally {
                context.detach(previous);
            }
        }
        Object[] current = CURRENT.get();
        Object outer = current[0];
        current[0] = this;
        Context previous = context.attach();
        try {
            return new TrackingListener(next.startCall(this, headers), method);
        } finally {
            context.detach(previous);
            current[0] = outer;
        }
    }

    /** How long the call has run at {@code nowTick} ({@link #tick}), in ticks; wrap-safe. */
    int age(int nowTick) {
        return nowTick - startTick;
    }

    private String fullMethodName() {
        return getMethodDescriptor().getFullMethodName();
    }

    InFlightCall snapshot(int nowTick) {
        return new InFlightCall(fullMethodName(), Duration.ofNanos((long) age(nowTick) << TICK_SHIFT));
    }

    /**
     * The handler's listener, each callback in the call's context while the call runs; the last one, when the call is
     * over, finishes the tracking.
     */
    private final class TrackingListener extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

        private final ServedMethod method;

        TrackingListener(ServerCall.Listener<ReqT> delegate, ServedMethod method) {
            super(delegate);
            this.method = method;
        }

        @Override
        public void onMessage(ReqT message) {
            if (method.unary()) {
                super.onMessage(message);
                return;
            }
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = TrackedCall.this;
            Context previous = context.attach();
            try {
                super.onMessage(message);
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onHalfClose() {
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = TrackedCall.this;
            Context previous = context.attach();
            try {
                super.onHalfClose();
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onReady() {
            if (method.unary()) {
                super.onReady();
                return;
            }
            Object[] current = CURRENT.get();
            Object outer = current[0];
            current[0] = TrackedCall.this;
            Context previous = context.attach();
            try {
                super.onReady();
            } finally {
                context.detach(previous);
                current[0] = outer;
            }
        }

        @Override
        public void onComplete() {
            try {
                super.onComplete();
            } finally {
                finish(method);
            }
        }

        @Override
        public void onCancel() {
            try {
                super.onCancel();
            } finally {
                finish(method);
            }
        }
    }

    /**
     * Called once: by the listener when the transport reports the end, or, if the handler threw at start (then gRPC
     * never calls the listener), by the tracker. Under the lock, so that an end() racing it (a client cancel at the
     * deadline) either closed the call first or finds it closed: each call is counted once, as completed or as
     * closed by the drain.
     */
    void finish(ServedMethod method) {
        boolean closedByDrain;
        synchronized (this) {
            if ((flags & FINISHED) != 0) {
                return;
            }
            flags |= FINISHED;
            closedByDrain = state == CLOSED_BY_DRAIN;
            if (state == OPEN) {
                state = CLOSED;
            }
            drainActions = null;
        }
        // No cancel of the call's context here: gRPC cancels its own context for the call once the call has ended
        // (after the last callback, or after a handler that threw at start), and with it this one, its child.
        method.finished(closedByDrain);
        method.tracker().finished(this);
    }
}
