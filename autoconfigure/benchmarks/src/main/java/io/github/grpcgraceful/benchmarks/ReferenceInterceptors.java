package io.github.grpcgraceful.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Two interceptors that each do one part of the tracker's work and nothing else, so that
 * a run shows what each guarantee costs on its own.
 */
final class ReferenceInterceptors {

    private ReferenceInterceptors() {
    }

    /**
     * Counts every call once, in and out: a listener wrapper and two atomic updates, the
     * least a tracker does.
     */
    static ServerInterceptor counting() {
        AtomicInteger inFlight = new AtomicInteger();
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                inFlight.incrementAndGet();
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onComplete() {
                        inFlight.decrementAndGet();
                        super.onComplete();
                    }

                    @Override
                    public void onCancel() {
                        inFlight.decrementAndGet();
                        super.onCancel();
                    }
                };
            }
        };
    }

    /**
     * Runs every handler in a cancellable context of its own, which is what ending a call
     * at once needs.
     */
    static ServerInterceptor ownContext() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withCancellation(), call, headers, next);
            }
        };
    }

}
