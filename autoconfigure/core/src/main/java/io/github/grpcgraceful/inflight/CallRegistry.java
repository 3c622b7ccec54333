package io.github.grpcgraceful.inflight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls in flight of one tracker, so that the drain can end them: lists threaded through the calls themselves (no
 * entry object per call), spread over stripes so that calls on different threads rarely meet, each stripe behind a
 * lock held for a few pointer writes.
 */
final class CallRegistry {

    private static final int STRIPES = 16; // a power of two

    private final Stripe[] stripes = new Stripe[STRIPES];

    CallRegistry() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    void add(TrackedCall<?, ?> call) {
        // By the thread that starts the call: calls started on different threads rarely share a stripe.
        call.stripe = (byte) (Thread.currentThread().getId() & (STRIPES - 1));
        Stripe stripe = stripes[call.stripe];
        stripe.lock();
        try {
            TrackedCall<?, ?> first = stripe.first;
            call.next = first;
            if (first != null) {
                first.previous = call;
            }
            stripe.first = call;
        } finally {
            stripe.unlock();
        }
    }

    void remove(TrackedCall<?, ?> call) {
        Stripe stripe = stripes[call.stripe];
        stripe.lock();
        try {
            TrackedCall<?, ?> previous = call.previous;
            TrackedCall<?, ?> next = call.next;
            if (previous == null) {
                stripe.first = next;
            } else {
                previous.next = next;
            }
            if (next != null) {
                next.previous = previous;
            }
            call.previous = null;
            call.next = null;
        } finally {
            stripe.unlock();
        }
    }

    /** The calls in flight now, in no particular order. */
    List<TrackedCall<?, ?>> snapshot() {
        List<TrackedCall<?, ?>> calls = new ArrayList<>();
        for (Stripe stripe : stripes) {
            stripe.lock();
            try {
                for (TrackedCall<?, ?> call = stripe.first; call != null; call = call.next) {
                    calls.add(call);
                }
            } finally {
                stripe.unlock();
            }
        }
        return calls;
    }

    /** One list and its lock: one compare-and-set to take it and a plain store to give it back. */
    private static final class Stripe {

        private static final VarHandle LOCKED;

        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Stripe.class, "locked", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile boolean locked;
        private TrackedCall<?, ?> first; // guarded by locked
        // Keeps stripes used by different threads off one another's cache lines.
        @SuppressWarnings("unused")
        private long pad1, pad2, pad3, pad4, pad5, pad6, pad7;

        void lock() {
            for (int spins = 0; !LOCKED.compareAndSet(this, false, true); spins++) {
                SpinWait.backOff(spins);
            }
        }

        void unlock() {
            LOCKED.setRelease(this, false);
        }
    }
}
