package io.github.grpcgraceful.api;

import io.grpc.Context;

/**
 * Lets a handler learn, from inside its call, that the server is draining, so that a
 * long-lived stream can say goodbye and complete by itself instead of being cut:
 *
 * <pre>{@code
 * DrainSignal.current().onDrain(() -> {
 *     responseObserver.onNext(goodbye);
 *     responseObserver.onCompleted();
 * });
 * }</pre>
 *
 * The signal comes when the server closes its listeners (after the drain-delay). A call
 * that asked for it is never released early: it is waited for like any call in flight
 * and, if it is still running at the grace deadline, ended with {@code UNAVAILABLE}.
 * Outside a call served with graceful shutdown, the signal never comes.
 */
public interface DrainSignal {

    /**
     * Where a call's signal is kept in its gRPC {@code Context}: the starter puts each
     * call's there, and {@link #current()} reads it. A test may attach a context with a
     * signal of its own to drive a handler.
     */
    Context.Key<DrainSignal> CONTEXT_KEY = Context.key("io.github.grpcgraceful.api.DrainSignal");

    /**
     * The signal of the call whose gRPC {@code Context} is current: found through that
     * context, so it is the handler's call on the handler's thread, and also where the
     * context is carried on: in a Kotlin coroutine of a grpc-kotlin service, and in a
     * task wrapped with {@code Context.current().wrap(...)}. In a streaming call that is
     * the handler and any of its callbacks until the last; in a unary call, its method
     * (gRPC's stubs call it when the request is complete). The last callback of a call
     * ({@code onComplete} or {@code onCancel}, where a stub runs its close and cancel
     * handlers) comes when the call is over. There, on a thread the context was not
     * carried to, and outside a call served with graceful shutdown, it is a signal that
     * never comes: {@link #isDraining()} is false and {@link #onDrain} keeps nothing.
     */
    static DrainSignal current() {
        DrainSignal signal = CONTEXT_KEY.get();
        return signal != null ? signal : NoDrainSignal.INSTANCE;
    }

    /**
     * Whether the server has closed its listeners to drain: the call should finish soon.
     */
    boolean isDraining();

    /**
     * Runs {@code action} once when the server closes its listeners to drain, or at once
     * (on this thread) if it already has. The action runs in the call's {@code Context}
     * on one of a few threads of the drain, never on the thread that drains the server:
     * it should end the call promptly (a last message, then complete), but one that
     * blocks cannot hold up the grace deadline, and it is interrupted when the drain
     * ends. What it throws is logged with the call's method, not propagated.
     * @throws IllegalArgumentException if {@code action} is {@code null}
     */
    void onDrain(Runnable action);

}
