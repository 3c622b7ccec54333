package io.github.grpcgraceful.inflight;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Knows every call running on the server, from the moment it reaches the server's interceptors until the transport
 * reports it closed. Installed as the outermost server-wide interceptor, so it also sees health and reflection
 * calls, calls that later interceptors reject, and calls whose handlers throw. The hot path is a few lock-free
 * map and counter updates per call.
 */
public class InFlightCallTracker implements ServerInterceptor {

    private final Set<TrackedCall<?, ?>> running = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, AtomicInteger> inFlightByMethod = new ConcurrentHashMap<>();
    private final LongAdder completed = new LongAdder();
    /** Notified whenever the last call in flight finishes. */
    private final Object idle = new Object();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        TrackedCall<ReqT, RespT> tracked = new TrackedCall<>(
                call, methodCounter(call.getMethodDescriptor().getFullMethodName()), this::finished);
        running.add(tracked);
        try {
            return tracked.start(headers, next);
        } catch (RuntimeException | Error e) {
            // gRPC then cancels the stream without ever calling a listener of ours.
            tracked.finish();
            throw e;
        }
    }

    private AtomicInteger methodCounter(String fullMethodName) {
        AtomicInteger counter = inFlightByMethod.get(fullMethodName);
        return counter != null ? counter : inFlightByMethod.computeIfAbsent(fullMethodName, name -> new AtomicInteger());
    }

    private void finished(TrackedCall<?, ?> call) {
        running.remove(call);
        if (!call.wasEnded()) {
            completed.increment();
        }
        if (running.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * Waits until no call is in flight or the deadline ({@link System#nanoTime()}) passes; returns whether none is.
     */
    public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        synchronized (idle) {
            while (!running.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Calls in flight on the server. */
    public int inFlight() {
        return running.size();
    }

    /** Calls in flight for one method, e.g. {@code Greeter/SayHello}. */
    public int inFlight(String fullMethodName) {
        AtomicInteger counter = inFlightByMethod.get(fullMethodName);
        return counter == null ? 0 : counter.get();
    }

    /** Calls in flight by full method name, for the methods that have any, sorted by name. */
    public Map<String, Integer> inFlightByMethod() {
        Map<String, Integer> counts = new TreeMap<>();
        inFlightByMethod.forEach((method, counter) -> {
            int count = counter.get();
            if (count > 0) {
                counts.put(method, count);
            }
        });
        return counts;
    }

    /** The longest-running calls in flight, oldest first, at most {@code limit}. */
    public List<InFlightCall> oldest(int limit) {
        long now = System.nanoTime();
        return oldestFirst()
                .limit(limit)
                .map(call -> call.snapshot(now))
                .toList();
    }

    /** Calls that have finished on their own (not ended by {@link #endAll(Status)}) since the server started. */
    public long completedCalls() {
        return completed.sum();
    }

    /**
     * Closes every call still in flight with {@code status}, oldest first, and returns the calls this closed. A
     * handler still working on such a call sees its later writes dropped quietly.
     */
    public List<InFlightCall> endAll(Status status) {
        long now = System.nanoTime();
        List<InFlightCall> ended = new ArrayList<>();
        for (TrackedCall<?, ?> call : oldestFirst().toList()) {
            if (call.end(status)) {
                ended.add(call.snapshot(now));
            }
        }
        return ended;
    }

    private Stream<TrackedCall<?, ?>> oldestFirst() {
        return running.stream().sorted(Comparator.comparingLong(TrackedCall::startNanos));
    }
}
