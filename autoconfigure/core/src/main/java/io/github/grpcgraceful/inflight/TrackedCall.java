package io.github.grpcgraceful.inflight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * One server call, wrapped so that the drain can end it with a status of its choosing while the handler may be
 * using it: every write is serialized with {@link #end(Status, Ending)}, and what the handler sends after the call
 * was closed is dropped quietly instead of failing inside the handler.
 *
 * <p>The handler runs in a context of this call's own, which {@link #end(Status, Ending)} cancels at once. gRPC would
 * cancel the call's context only after the handler has returned (the server closed the call normally, as far as the
 * transport is concerned), so a handler that waits would never learn that its call is over. The same context carries
 * the call for {@link DrainSignal#current()}.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    /** How the drain closed a call; a call the drain never closed has none. */
    enum Ending {
        /** A long-lived stream, closed when the listeners closed. */
        RELEASED,
        /** Still running when the grace period ran out. */
        ENDED
    }

    private static final Logger log = LoggerFactory.getLogger(TrackedCall.class);
    private static final Context.Key<TrackedCall<?, ?>> CURRENT = Context.key("grpc-graceful-shutdown-call");
    /** On {@link #finished}: a field rather than an AtomicBoolean, one object less per call. */
    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(TrackedCall.class, "finished", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Context.CancellableContext context;
    private final ServedMethod method;
    private final Consumer<TrackedCall<?, ?>> onFinish;
    private final long startNanos = System.nanoTime();
    private volatile boolean finished; // set once, through FINISHED
    private boolean closed; // guarded by this
    private boolean drainSignalled; // guarded by this
    private List<Runnable> drainActions; // guarded by this; null until a handler asks for the drain signal
    private volatile Ending ending;

    TrackedCall(ServerCall<ReqT, RespT> delegate, ServedMethod method, Consumer<TrackedCall<?, ?>> onFinish) {
        super(delegate);
        this.method = method;
        this.onFinish = onFinish;
        this.context = Context.current().withValue(CURRENT, this).withCancellation();
        method.started();
    }

    /** The call whose context is current, or {@code null} outside a tracked call. */
    static TrackedCall<?, ?> current() {
        return CURRENT.get();
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
        if (!closed) {
            super.sendHeaders(headers);
        }
    }

    @Override
    public synchronized void sendMessage(RespT message) {
        if (!closed) {
            super.sendMessage(message);
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (!closed) {
            closed = true;
            super.close(status, trailers);
        }
    }

    /**
     * Closes the call with {@code status} unless it is closed already, and cancels the handler's context; returns
     * whether this closed it.
     */
    boolean end(Status status, Ending why) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            ending = why;
            close(status, new Metadata());
        }
        // Outside the lock: cancellation runs the handler's own listeners.
        context.cancel(status.asRuntimeException());
        return true;
    }

    /**
     * The listeners have closed: runs the handler's drain actions if it asked for the signal, or else releases the
     * call with {@code releaseStatus} if its method is long-lived. Returns whether it released the call.
     */
    boolean drainBegan(Status releaseStatus) {
        List<Runnable> actions;
        synchronized (this) {
            if (drainSignalled) {
                return false;
            }
            drainSignalled = true;
            actions = drainActions;
            drainActions = null;
        }
        if (actions != null) {
            actions.forEach(this::runDrainAction);
            return false;
        }
        return method.longLived() && end(releaseStatus, Ending.RELEASED);
    }

    void onDrain(Runnable action) {
        synchronized (this) {
            if (!drainSignalled) {
                if (drainActions == null) {
                    drainActions = new ArrayList<>(2);
                }
                drainActions.add(action);
                return;
            }
        }
        runDrainAction(action);
    }

    synchronized boolean drainSignalled() {
        return drainSignalled;
    }

    private void runDrainAction(Runnable action) {
        if (finished) {
            return;
        }
        try {
            context.run(action);
        } catch (RuntimeException e) {
            log.warn("The drain action of {} failed", getMethodDescriptor().getFullMethodName(), e);
        }
    }

    /**
     * Starts the call in its own context, so that the handler and all its listener callbacks run inside it, and
     * returns the handler's listener wrapped so that the end of the call, however it comes, finishes the tracking.
     */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Context previous = context.attach();
        try {
            return new TrackingListener(next.startCall(this, headers));
        } finally {
            context.detach(previous);
        }
    }

    /** How the drain closed this call, or {@code null} if it did not. */
    Ending ending() {
        return ending;
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
            Context previous = context.attach();
            try {
                super.onMessage(message);
            } finally {
                context.detach(previous);
            }
        }

        @Override
        public void onHalfClose() {
            Context previous = context.attach();
            try {
                super.onHalfClose();
            } finally {
                context.detach(previous);
            }
        }

        @Override
        public void onReady() {
            Context previous = context.attach();
            try {
                super.onReady();
            } finally {
                context.detach(previous);
            }
        }

        @Override
        public void onComplete() {
            Context previous = context.attach();
            try {
                super.onComplete();
            } finally {
                context.detach(previous);
                finish();
            }
        }

        @Override
        public void onCancel() {
            Context previous = context.attach();
            try {
                super.onCancel();
            } finally {
                context.detach(previous);
                finish();
            }
        }
    }

    /** Idempotent: the transport reports the end once, but a handler that threw at start is finished here too. */
    void finish() {
        if (FINISHED.compareAndSet(this, false, true)) {
            context.cancel(null);
            method.finished();
            onFinish.accept(this);
        }
    }
}
