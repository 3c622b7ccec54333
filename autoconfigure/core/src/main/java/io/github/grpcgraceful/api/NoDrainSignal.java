package io.github.grpcgraceful.api;

/** The signal outside a call served with graceful shutdown: it never comes. */
final class NoDrainSignal implements DrainSignal {

    static final DrainSignal INSTANCE = new NoDrainSignal();

    private NoDrainSignal() {
    }

    @Override
    public boolean isDraining() {
        return false;
    }

    @Override
    public void onDrain(Runnable action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
    }

}
