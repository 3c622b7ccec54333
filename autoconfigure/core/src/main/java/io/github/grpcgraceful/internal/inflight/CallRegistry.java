package io.github.grpcgraceful.internal.inflight;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.grpc.ServerCall;

/**
 * The calls in flight of one tracker, so that the drain can end them: each call holds a
 * numbered slot in one of a few stripes, so that calls on different threads rarely meet,
 * and the slot, not the call, holds its start time. A call knows its slot from the moment
 * it exists, so leaving takes no search and the call carries no links: it stays at 32 B.
 * Each stripe is guarded by its own monitor, held for a few array writes.
 */
final class CallRegistry {

    private static final int STRIPES = 16; // a power of two

    private static final int STRIPE_BITS = 4;

    /**
     * Slots a stripe can hold, so that a call's place (its stripe and slot) fits in its
     * state word.
     */
    private static final int MAX_SLOTS = 1 << (TrackedCall.PLACE_BITS - STRIPE_BITS);

    private final Stripe[] stripes = new Stripe[STRIPES];

    /**
     * The drain actions of the calls whose handlers asked for the {@code DrainSignal},
     * few in any server; guarded by itself.
     */
    private final Map<TrackedCall<?, ?>, List<Runnable>> drainActions = new IdentityHashMap<>();

    CallRegistry() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /**
     * A call of {@code method} tracked from now on, with its start time taken now, in a
     * slot of its own.
     */
    <ReqT, RespT> TrackedCall<ReqT, RespT> add(ServerCall<ReqT, RespT> call, ServedMethod method) {
        int startTick = TrackedCall.tick(System.nanoTime());
        // By the thread that starts the call: calls started on different threads rarely
        // share a stripe.
        int index = (int) (Thread.currentThread().getId() & (STRIPES - 1));
        Stripe stripe = stripes[index];
        synchronized (stripe) {
            int slot = stripe.take();
            TrackedCall<ReqT, RespT> tracked = new TrackedCall<>(call, method, slot << STRIPE_BITS | index);
            stripe.calls[slot] = tracked;
            stripe.startTicks[slot] = startTick;
            return tracked;
        }
    }

    /** Frees the slot at {@code place}, which a call held until it finished. */
    void remove(int place) {
        Stripe stripe = stripes[place & (STRIPES - 1)];
        synchronized (stripe) {
            stripe.free(place >>> STRIPE_BITS);
        }
    }

    /** The calls in flight now, with their start times, in no particular order. */
    List<Running> snapshot() {
        List<Running> calls = new ArrayList<>();
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                for (int slot = 0; slot < stripe.used; slot++) {
                    TrackedCall<?, ?> call = stripe.calls[slot];
                    if (call != null) {
                        calls.add(new Running(call, stripe.startTicks[slot]));
                    }
                }
            }
        }
        return calls;
    }

    void keepDrainAction(TrackedCall<?, ?> call, Runnable action) {
        synchronized (drainActions) {
            drainActions.computeIfAbsent(call, c -> new ArrayList<>(2)).add(action);
        }
    }

    /**
     * The drain actions {@code call}'s handler left, which are no longer kept here; empty
     * if none.
     */
    List<Runnable> takeDrainActions(TrackedCall<?, ?> call) {
        synchronized (drainActions) {
            List<Runnable> actions = drainActions.remove(call);
            return actions != null ? actions : List.of();
        }
    }

    /** A call in flight and the tick ({@link TrackedCall#tick}) it started at. */
    record Running(TrackedCall<?, ?> call, int startTick) {

        /**
         * How long the call has run at {@code nowTick}, in ticks; wrap-safe for 26 days.
         */
        int age(int nowTick) {
            return nowTick - startTick;
        }
    }

    /**
     * One stripe's slots: {@code calls[slot]} holds a call in flight, or {@code null} if
     * the slot is free. A free slot's start time holds the next free slot instead (-1 for
     * none), so the free slots cost no array of their own. The arrays grow by doubling
     * and keep their size, ready for the next burst.
     */
    private static final class Stripe {

        private TrackedCall<?, ?>[] calls = new TrackedCall<?, ?>[16];

        private int[] startTicks = new int[16];

        /** Slots in use at least once: those at and above are free and never chained. */
        private int used;

        private int firstFree = -1;

        int take() {
            int slot = firstFree;
            if (slot >= 0) {
                firstFree = startTicks[slot];
                return slot;
            }
            if (used == calls.length) {
                if (used == MAX_SLOTS) {
                    throw new IllegalStateException("more than " + MAX_SLOTS + " calls in flight in one stripe");
                }
                int size = Math.min(used * 2, MAX_SLOTS);
                calls = Arrays.copyOf(calls, size);
                startTicks = Arrays.copyOf(startTicks, size);
            }
            return used++;
        }

        void free(int slot) {
            calls[slot] = null;
            startTicks[slot] = firstFree;
            firstFree = slot;
        }

    }

}
