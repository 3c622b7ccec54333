package io.github.grpcgraceful.inflight;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Knows every call running on the server, from the moment it reaches the server's interceptors until the transport
 * reports it closed. Installed as the outermost server-wide interceptor, so it also sees health and reflection
 * calls, calls that later interceptors reject, and calls whose handlers throw. The hot path is two objects, a map
 * entry and a few counter updates per call.
 */
public class InFlightCallTracker implements ServerInterceptor {

    /**
     * Every tracked call in this JVM, by the context its handler runs in: the drain enumerates its own tracker's,
     * and {@link DrainSignal#current()} finds a handler's call from its context.
     */
    private static final ConcurrentMap<Context.CancellableContext, TrackedCall<?, ?>> RUNNING =
            new ConcurrentHashMap<>();

    private final MethodPatterns longLivedMethods;
    /** Whether calls run in the context the server made for them, rather than in one of their own. */
    private final boolean serverContexts;
    private final ConcurrentMap<String, ServedMethod> methods = new ConcurrentHashMap<>();
    private final LongAdder completed = new LongAdder();
    private final LongAdder released = new LongAdder();
    /** Notified whenever the last call in flight finishes, once someone waits for that. */
    private final Object idle = new Object();
    private volatile boolean idleAwaited;
    /** The status long-lived calls are released with, from the moment the drain closes the listeners. */
    private volatile Status releaseStatus;

    /** A tracker whose drain waits for every call, streams included. */
    public InFlightCallTracker() {
        this(MethodPatterns.none());
    }

    /** A tracker whose drain releases the calls of {@code longLivedMethods} as soon as the listeners close. */
    public InFlightCallTracker(MethodPatterns longLivedMethods) {
        this(longLivedMethods, ServerCallContexts.available());
    }

    /** With {@code serverContexts} false, every call gets a context of its own, as where gRPC's cannot be read. */
    InFlightCallTracker(MethodPatterns longLivedMethods, boolean serverContexts) {
        this.longLivedMethods = longLivedMethods;
        this.serverContexts = serverContexts;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        ServedMethod method = method(call.getMethodDescriptor().getFullMethodName());
        Context.CancellableContext serverContext =
                serverContexts ? ServerCallContexts.cancellableAncestor(Context.current()) : null;
        TrackedCall<ReqT, RespT> tracked = new TrackedCall<>(call, method, serverContext);
        if (RUNNING.putIfAbsent(tracked.context(), tracked) != null) {
            // A second tracker on the same server: the server's context is taken, so this one makes its own.
            tracked = new TrackedCall<>(call, method, null);
            RUNNING.put(tracked.context(), tracked);
        }
        method.started();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = tracked.start(headers, next);
        } catch (RuntimeException | Error e) {
            // gRPC then cancels the stream without ever calling a listener of ours.
            tracked.finish();
            throw e;
        }
        Status releasing = releaseStatus;
        if (releasing != null) {
            // Arrived while the drain was closing the listeners: the drain may have missed it.
            drainBegan(tracked, releasing);
        }
        return listener;
    }

    private ServedMethod method(String fullMethodName) {
        ServedMethod method = methods.get(fullMethodName);
        return method != null ? method : methods.computeIfAbsent(fullMethodName,
                name -> new ServedMethod(this, longLivedMethods.matches(name)));
    }

    /** The tracked call whose handler runs in {@code context}, of any tracker, or {@code null}. */
    static TrackedCall<?, ?> runningIn(Context.CancellableContext context) {
        return RUNNING.get(context);
    }

    void finished(TrackedCall<?, ?> call) {
        RUNNING.remove(call.context(), call);
        if (call.ending() == null) {
            completed.increment();
        }
        // Read after the count went down, while awaitIdle sets the flag before it reads the count: one of them sees
        // the other.
        if (idleAwaited && inFlight() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * The listeners have closed: tells every handler that asked for the {@link DrainSignal}, and closes the calls of
     * long-lived methods whose handlers did not with {@code releaseStatus}; calls that arrive later get the same.
     * Returns the calls this released, oldest first.
     */
    public List<InFlightCall> beginDrain(Status releaseStatus) {
        this.releaseStatus = releaseStatus;
        long now = System.nanoTime();
        List<InFlightCall> releasedNow = new ArrayList<>();
        for (TrackedCall<?, ?> call : oldestFirst().toList()) {
            if (drainBegan(call, releaseStatus)) {
                releasedNow.add(call.snapshot(now));
            }
        }
        return releasedNow;
    }

    private boolean drainBegan(TrackedCall<?, ?> call, Status releaseStatus) {
        if (call.drainBegan(releaseStatus)) {
            released.increment();
            return true;
        }
        return false;
    }

    /**
     * Waits until no call is in flight or the deadline ({@link System#nanoTime()}) passes; returns whether none is.
     */
    public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        idleAwaited = true;
        synchronized (idle) {
            while (inFlight() > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** The methods whose calls the drain releases when the listeners close. */
    public MethodPatterns longLivedMethods() {
        return longLivedMethods;
    }

    /** Calls in flight on the server. */
    public int inFlight() {
        int count = 0;
        for (ServedMethod method : methods.values()) {
            count += method.inFlight();
        }
        return count;
    }

    /** Calls in flight for one method, e.g. {@code Greeter/SayHello}. */
    public int inFlight(String fullMethodName) {
        ServedMethod method = methods.get(fullMethodName);
        return method == null ? 0 : method.inFlight();
    }

    /** Calls in flight by full method name, for the methods that have any, sorted by name. */
    public Map<String, Integer> inFlightByMethod() {
        Map<String, Integer> counts = new TreeMap<>();
        methods.forEach((name, method) -> {
            int count = method.inFlight();
            if (count > 0) {
                counts.put(name, count);
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

    /** Calls that have finished on their own (neither released nor ended by the drain) since the server started. */
    public long completedCalls() {
        return completed.sum();
    }

    /** Long-lived calls the drain released when the listeners closed. */
    public long releasedCalls() {
        return released.sum();
    }

    /**
     * Closes every call still in flight with {@code status}, oldest first, and returns the calls this closed. A
     * handler still working on such a call sees its later writes dropped quietly.
     */
    public List<InFlightCall> endAll(Status status) {
        long now = System.nanoTime();
        List<InFlightCall> ended = new ArrayList<>();
        for (TrackedCall<?, ?> call : oldestFirst().toList()) {
            if (call.end(status, TrackedCall.Ending.ENDED)) {
                ended.add(call.snapshot(now));
            }
        }
        return ended;
    }

    private Stream<TrackedCall<?, ?>> oldestFirst() {
        return RUNNING.values().stream()
                .filter(call -> call.tracker() == this)
                .sorted(Comparator.comparingLong(TrackedCall::startNanos));
    }
}
