package io.github.grpcgraceful.inflight;

/**
 * Lets a handler learn, from inside its call, that the server is draining, so that a long-lived stream can say
 * goodbye and complete by itself instead of being cut:
 *
 * <pre>{@code
 * DrainSignal.current().onDrain(() -> {
 *     responseObserver.onNext(goodbye);
 *     responseObserver.onCompleted();
 * });
 * }</pre>
 *
 * The signal comes when the server closes its listeners (after the drain-delay). A call that asked for it is never
 * released early: it is waited for like any call in flight and, if it is still running at the grace deadline, ended
 * with {@code UNAVAILABLE}. Outside a call served with graceful shutdown, the signal never comes.
 */
public final class DrainSignal {

    private static final DrainSignal NEVER = new DrainSignal(null);

    /** The call, which the drain tells; {@code null} outside a call. */
    private final TrackedCall<?, ?> call;

    private DrainSignal(TrackedCall<?, ?> call) {
        this.call = call;
    }

    /** The signal of the call whose gRPC {@code Context} is current (handlers and their listeners run in it). */
    public static DrainSignal current() {
        TrackedCall<?, ?> call = TrackedCall.current();
        return call == null ? NEVER : new DrainSignal(call);
    }

    /** Whether the server has closed its listeners to drain: the call should finish soon. */
    public boolean isDraining() {
        return call != null && call.draining();
    }

    /**
     * Runs {@code action} once when the server closes its listeners to drain, or at once (on this thread) if it
     * already has. The action runs in the call's {@code Context} on one of a few threads of the drain, never on the
     * thread that drains the server: it should end the call promptly (a last message, then complete), but one that
     * blocks cannot hold up the grace deadline, and it is interrupted when the drain ends. What it throws is logged
     * with the call's method, not propagated.
     */
    public void onDrain(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
        if (call != null) {
            call.onDrain(action);
        }
    }
}
