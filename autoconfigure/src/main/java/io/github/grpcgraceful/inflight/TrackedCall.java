package io.github.grpcgraceful.inflight;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * One server call, wrapped so that the drain can end it with a status of its choosing while the handler may be
 * using it: every write is serialized with {@link #end(Status)}, and what the handler sends after the call was
 * closed is dropped quietly instead of failing inside the handler.
 *
 * <p>The handler runs in a context of this call's own, which {@link #end(Status)} cancels at once. gRPC would cancel
 * the call's context only after the handler has returned (the server closed the call normally, as far as the transport
 * is concerned), so a handler that waits would never learn that its call is over.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private final Context.CancellableContext context = Context.current().withCancellation();
    private final AtomicInteger methodInFlight;
    private final Consumer<TrackedCall<?, ?>> onFinish;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private boolean closed; // guarded by this
    private volatile boolean ended;

    TrackedCall(ServerCall<ReqT, RespT> delegate, AtomicInteger methodInFlight, Consumer<TrackedCall<?, ?>> onFinish) {
        super(delegate);
        this.methodInFlight = methodInFlight;
        this.onFinish = onFinish;
        methodInFlight.incrementAndGet();
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
    boolean end(Status status) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            ended = true;
            close(status, new Metadata());
        }
        // Outside the lock: cancellation runs the handler's own listeners.
        context.cancel(status.asRuntimeException());
        return true;
    }

    /** Starts the call in its own context, so that the handler and its listener callbacks all run inside it. */
    ServerCall.Listener<ReqT> start(Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return finishingWith(Contexts.interceptCall(context, this, headers, next));
    }

    /** Whether the drain ended this call rather than its handler. */
    boolean wasEnded() {
        return ended;
    }

    long startNanos() {
        return startNanos;
    }

    InFlightCall snapshot(long nowNanos) {
        return new InFlightCall(getMethodDescriptor().getFullMethodName(), Duration.ofNanos(nowNanos - startNanos));
    }

    /** Wraps the handler's listener so that the end of the call, however it comes, finishes the tracking. */
    private ServerCall.Listener<ReqT> finishingWith(ServerCall.Listener<ReqT> listener) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    finish();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    finish();
                }
            }
        };
    }

    /** Idempotent: the transport reports the end once, but a handler that threw at start is finished here too. */
    void finish() {
        if (finished.compareAndSet(false, true)) {
            context.cancel(null);
            methodInFlight.decrementAndGet();
            onFinish.accept(this);
        }
    }
}
