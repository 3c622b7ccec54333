package io.github.grpcgraceful.inflight;

/** How the tracker's short-held locks wait: spin a little, then let the holder run (it may have been descheduled). */
final class SpinWait {

    private static final int SPINS_BEFORE_YIELDING = 100;

    private SpinWait() {
    }

    static void backOff(int spins) {
        if (spins < SPINS_BEFORE_YIELDING) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
