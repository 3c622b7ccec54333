package io.github.grpcgraceful.internal.inflight;

import java.util.ArrayList;
import java.util.List;

/**
 * The calls in flight of one tracker, so that the drain can end them: lists threaded through the calls themselves (no
 * entry object per call), spread over stripes so that calls on different threads rarely meet, each stripe guarded by
 * its own monitor, held for a few pointer writes.
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
        byte index = (byte) (Thread.currentThread().getId() & (STRIPES - 1));
        Stripe stripe = stripes[index];
        synchronized (stripe) {
            call.stripe = index;
            TrackedCall<?, ?> first = stripe.first;
            call.next = first;
            if (first != null) {
                first.previous = call;
            }
            stripe.first = call;
        }
    }

    void remove(TrackedCall<?, ?> call) {
        Stripe stripe = stripes[call.stripe];
        synchronized (stripe) {
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
        }
    }

    /** The calls in flight now, in no particular order. */
    List<TrackedCall<?, ?>> snapshot() {
        List<TrackedCall<?, ?>> calls = new ArrayList<>();
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                for (TrackedCall<?, ?> call = stripe.first; call != null; call = call.next) {
                    calls.add(call);
                }
            }
        }
        return calls;
    }

    /** One list; its monitor guards it and the links of the calls in it. */
    private static final class Stripe {

        private TrackedCall<?, ?> first;
    }
}
