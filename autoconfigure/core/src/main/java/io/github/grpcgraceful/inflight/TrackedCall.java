package io.github.grpcgraceful.inflight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * One server call, wrapped so that the drain can end it with a status of its choosing while the handler may be
 * using it: every write is serialized with {@link #end(Status)}, and what the handler sends after the call
 * was closed is dropped quietly instead of failing inside the handler.
 *
 * <p>{@link #end(Status)} cancels the handler's context at once. gRPC itself would cancel it only after the
 * handler has returned (the server closed the call normally, as far as the transport is concerned), so a handler
 * that waits would never learn that its call is over. The context cancelled is the one the server made for the call,
 * which the handler runs in anyway; only where that cannot be read does the call get a cancellable context of its
 * own, attached around every listener callback.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private static final Context.Key<TrackedCall<?, ?>> CURRENT = Context.key("grpc-graceful-shutdown-call");
    /** On {@link #finished}, {@link #writer} and {@link #state}: fields rather than atomic objects, fewer per call. */
    private static final VarHandle FINISHED;
    private static final VarHandle WRITER;
    private static final VarHandle STATE;
    private static final byte OPEN = 0;
    private static final byte CLOSED = 1;
    private static final byte CLOSED_BY_DRAIN = 2;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FINISHED = lookup.findVarHandle(TrackedCall.class, "finished", boolean.class);
            WRITER = lookup.findVarHandle(TrackedCall.class, "writer", Thread.class);
            STATE = lookup.findVarHandle(TrackedCall.class, "state", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Context.CancellableContext context;
    private final ServedMethod method;
    private final long startNanos = CoarseClock.nanoTime();
    /**
     * The lock that serializes writes with {@link #end}: the thread writing, or {@code null}. One compare-and-set to
     * take it and a plain store to give it back, where a monitor costs two compare-and-sets; the drain is the only
     * other party, so it is hardly ever contended.
     */
    private volatile Thread writer;
    /** This call's neighbours in its tracker's {@link CallRegistry} and its stripe there, guarded by the registry. */
    TrackedCall<?, ?> previous;
    TrackedCall<?, ?> next;
    byte stripe;
    /** Whether {@link #context} is this call's own: attached around each callback, cancelled when the call ends. */
    private final boolean ownContext;
    private boolean finished; // set once, released through FINISHED
    /** {@link #OPEN}, {@link #CLOSED} or {@link #CLOSED_BY_DRAIN}, written under the write lock. */
    private volatile byte state;

    /**
     * A call that runs in {@code serverContext}, the cancellable context the server made for it, or in a context of
     * its own if that is {@code null}.
     */
    TrackedCall(ServerCall<ReqT, RespT> delegate, ServedMethod method, Context.CancellableContext serverContext) {
        super(delegate);
        this.method = method;
        this.ownContext = serverContext == null;
        this.context = ownContext ? Context.current().withValue(CURRENT, this).withCancellation() : serverContext;
    }

    /**
     * The context of the call whose handler runs in the current context: the call's own if it has one, or else the
     * one the server made for it; {@code null} outside a server call.
     */
    static Context.CancellableContext contextOfCurrentCall() {
        Context current = Context.current();
        TrackedCall<?, ?> withOwnContext = CURRENT.get(current);
        return withOwnContext != null ? withOwnContext.context : ServerCallContexts.outermostCancellable(current);
    }

    /** The context the handler runs in, which ending the call cancels. */
    Context.CancellableContext context() {
        return context;
    }

    @Override
    public void sendHeaders(Metadata headers) {
        boolean locked = lockWrites();
        try {
            if (state == OPEN) {
                super.sendHeaders(headers);
            }
        } finally {
            unlockWrites(locked);
        }
    }

    @Override
    public void sendMessage(RespT message) {
        boolean locked = lockWrites();
        try {
            if (state == OPEN) {
                super.sendMessage(message);
            }
        } finally {
            unlockWrites(locked);
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        boolean locked = lockWrites();
        try {
            if (state == OPEN) {
                STATE.setRelease(this, CLOSED);
                super.close(status, trailers);
            }
        } finally {
            unlockWrites(locked);
        }
    }

    /**
     * Takes the write lock, waiting while another thread holds it (a write takes microseconds); returns {@code false}
     * if this thread holds it already, as when a write delivers a callback in which the handler writes again.
     */
    private boolean lockWrites() {
        Thread current = Thread.currentThread();
        for (int spins = 0; !WRITER.compareAndSet(this, null, current); spins++) {
            if (writer == current) {
                return false;
            }
            SpinWait.backOff(spins);
        }
        return true;
    }

    private void unlockWrites(boolean locked) {
        if (locked) {
            WRITER.setRelease(this, null);
        }
    }

    /**
     * Closes the call with {@code status} unless it is closed already, and cancels the handler's context; returns
     * whether this closed it.
     */
    boolean end(Status status) {
        if ((boolean) FINISHED.getAcquire(this)) {
            return false;
        }
        boolean locked = lockWrites();
        try {
            if (state != OPEN) {
                return false;
            }
            STATE.setRelease(this, CLOSED_BY_DRAIN);
            super.close(status, new Metadata());
        } finally {
            unlockWrites(locked);
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
        String name = getMethodDescriptor().getFullMethodName();
        List<Runnable> registered = DrainSignals.drainBegan(context, name);
        if (registered == DrainSignals.ALREADY_BEGAN) {
            return false;
        }
        if (registered != null) {
            if (!registered.isEmpty() && !(boolean) FINISHED.getAcquire(this)) {
                actions.submit(name, context, registered);
            }
            return false;
        }
        return method.longLived() && end(releaseStatus);
    }

    /**
     * Starts the call (in its own context, if it has one, as are all its listener callbacks) and returns the handler's
     * listener wrapped so that the end of the call, however it comes, finishes the tracking.
     */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Context previous = enter();
        try {
            return new TrackingListener(next.startCall(this, headers));
        } finally {
            leave(previous);
        }
    }

    /** Attaches the call's own context, if it has one: the server's is current in every callback already. */
    private Context enter() {
        return ownContext ? context.attach() : null;
    }

    private void leave(Context previous) {
        if (ownContext) {
            context.detach(previous);
        }
    }

    long startNanos() {
        return startNanos;
    }

    InFlightCall snapshot(long nowNanos) {
        return new InFlightCall(getMethodDescriptor().getFullMethodName(), Duration.ofNanos(nowNanos - startNanos));
    }

    /** The handler's listener, each callback in the call's context; the last one finishes the tracking. */
    private final class TrackingListener extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

        TrackingListener(ServerCall.Listener<ReqT> delegate) {
            super(delegate);
        }

        @Override
        public void onMessage(ReqT message) {
            Context previous = enter();
            try {
                super.onMessage(message);
            } finally {
                leave(previous);
            }
        }

        @Override
        public void onHalfClose() {
            Context previous = enter();
            try {
                super.onHalfClose();
            } finally {
                leave(previous);
            }
        }

        @Override
        public void onReady() {
            Context previous = enter();
            try {
                super.onReady();
            } finally {
                leave(previous);
            }
        }

        @Override
        public void onComplete() {
            Context previous = enter();
            try {
                super.onComplete();
            } finally {
                leave(previous);
                finish();
            }
        }

        @Override
        public void onCancel() {
            Context previous = enter();
            try {
                super.onCancel();
            } finally {
                leave(previous);
                finish();
            }
        }
    }

    /**
     * Called once: by the listener when the transport reports the end, or, if the handler threw at start (then gRPC
     * never calls the listener), by the tracker.
     */
    void finish() {
        if (!finished) {
            FINISHED.setRelease(this, true);
            boolean closedByDrain;
            // Under the write lock, so that an end() racing this (a client cancel at the deadline) either closed the
            // call first or finds it closed: each call is counted once, as completed or as closed by the drain.
            boolean locked = lockWrites();
            try {
                closedByDrain = state == CLOSED_BY_DRAIN;
                if (state == OPEN) {
                    STATE.setRelease(this, CLOSED);
                }
            } finally {
                unlockWrites(locked);
            }
            if (ownContext) {
                context.cancel(null);
            }
            method.finished(closedByDrain);
            method.tracker().finished(this);
        }
    }
}
