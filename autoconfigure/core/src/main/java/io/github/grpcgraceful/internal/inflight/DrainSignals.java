package io.github.grpcgraceful.internal.inflight;

import io.github.grpcgraceful.api.DrainSignal;

/** Where {@link DrainSignal#current()} finds the signal of the call on this thread. Internal: for the API alone. */
public final class DrainSignals {

    private static final DrainSignal NEVER = new DrainSignal() {

        @Override
        public boolean isDraining() {
            return false;
        }

        @Override
        public void onDrain(Runnable action) {
            TrackedCall.requireAction(action);
        }
    };

    private DrainSignals() {
    }

    /** The current call's signal, or a signal that never comes outside a call. */
    public static DrainSignal current() {
        DrainSignal signal = TrackedCall.current();
        return signal == null ? NEVER : signal;
    }
}
