package io.github.grpcgraceful.inflight;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * One server call, wrapped so that the drain can end it with a status of its choosing while the handler may be
 * using it: every write is serialized with {@link #end(Status)}, and what the handler sends after the call was
 * closed is dropped quietly instead of failing inside the handler.
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

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

    /** Closes the call with {@code status} unless it is closed already; returns whether this closed it. */
    synchronized boolean end(Status status) {
        if (closed) {
            return false;
        }
        ended = true;
        close(status, new Metadata());
        return true;
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
    ServerCall.Listener<ReqT> finishingWith(ServerCall.Listener<ReqT> listener) {
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
            methodInFlight.decrementAndGet();
            onFinish.accept(this);
        }
    }
}
