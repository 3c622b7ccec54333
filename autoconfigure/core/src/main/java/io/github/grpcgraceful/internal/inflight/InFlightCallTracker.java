package io.github.grpcgraceful.internal.inflight;

import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.api.InFlightCall;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.probe.HealthProbers;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Knows every call running on the server, from the moment it reaches the server's
 * interceptors until the transport reports it closed. Installed as the outermost
 * server-wide interceptor, so it also sees health and reflection calls, calls that later
 * interceptors reject, and calls whose handlers throw. The hot path is the call's
 * wrapper, its listener's and its own cancellable context, an entry in a concurrent set
 * of the calls in flight, two counter increments per call, and the call's monitor taken
 * once per write (the README's figures say what each costs). It uses gRPC's public API
 * only.
 */
public class InFlightCallTracker implements ServerInterceptor {

    /** The gRPC health service's probing method, whose callers are health probers. */
    private static final String HEALTH_CHECK = "grpc.health.v1.Health/Check";

    private static final String HEALTH_SERVICE = "grpc.health.v1.Health/";

    private final ConcurrentMap<String, ServedMethod> methods = new ConcurrentHashMap<>();

    /** Who probes health, gRPC health {@code Check} callers among them. */
    private final HealthProbers probers;

    /** The calls in flight, unary and streaming alike. */
    private final Set<TrackedCall<?, ?>> calls = ConcurrentHashMap.newKeySet();

    private final LongAdder released = new LongAdder();

    private final LongAdder ended = new LongAdder();

    private final LongAdder refused = new LongAdder();

    /**
     * Notified when the calls in flight come down to {@link #awaitedInFlight} while
     * someone waits for that.
     */
    private final Object idle = new Object();

    /**
     * How many calls in flight {@link #awaitIdle} waits for, or -1 while no one waits.
     */
    private volatile int awaitedInFlight = -1;

    /**
     * The drain under way, from the moment it closes the listeners until it ends;
     * {@code null} otherwise.
     */
    private volatile Drain drain;

    /**
     * The status new calls are closed with while refused ({@link #refuseNewCalls});
     * {@code null} otherwise.
     */
    private volatile Status refusal;

    /** A tracker that notes health probers on the system's clock. */
    public InFlightCallTracker() {
        this(new HealthProbers(DrainClock.system()));
    }

    /** A tracker that notes the gRPC health probers it sees in {@code probers}. */
    public InFlightCallTracker(HealthProbers probers) {
        this.probers = probers;
    }

    /**
     * Who probes health: the callers of gRPC health {@code Check}, and whoever else tells
     * it.
     */
    public HealthProbers probers() {
        return probers;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        Status refusing = refusal;
        if (refusing != null) {
            return refuse(call, refusing);
        }
        ServedMethod method = method(call.getMethodDescriptor());
        if (method.healthCheck()) {
            probers.probed("gRPC health Check from " + peer(call));
        }
        TrackedCall<ReqT, RespT> tracked = new TrackedCall<>(call, method);
        calls.add(tracked);
        method.started();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = tracked.start(headers, next);
        }
        catch (RuntimeException | Error e) {
            // gRPC then cancels the stream without ever calling a listener of ours.
            tracked.finish(true);
            throw e;
        }
        Drain current = drain;
        if (current != null) {
            // Arrived while the drain was closing the listeners: the drain may have
            // missed it.
            drainBegan(tracked, current);
            Status ending = current.endStatus;
            if (ending != null && tracked.end(ending)) {
                // Arrived after the deadline ended the others: it would otherwise wait
                // for the transports to close.
                ended.increment();
            }
        }
        return listener;
    }

    private <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, Status status) {
        refused.increment();
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private ServedMethod method(MethodDescriptor<?, ?> descriptor) {
        ServedMethod method = methods.get(descriptor.getFullMethodName());
        return method != null ? method
                : methods.computeIfAbsent(descriptor.getFullMethodName(), name -> new ServedMethod(this,
                        descriptor.getType() == MethodDescriptor.MethodType.UNARY, name.equals(HEALTH_CHECK)));
    }

    /** The caller's address, without its port (a prober may connect anew each time). */
    private static String peer(ServerCall<?, ?> call) {
        SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    /**
     * How many calls have arrived since startup, health calls and calls of
     * {@code longLivedMethods} aside: an evidence-based drain-delay waits until this has
     * not changed for its quiet period.
     */
    public long arrivals(MethodPatterns longLivedMethods) {
        long arrived = 0;
        for (Map.Entry<String, ServedMethod> method : methods.entrySet()) {
            String name = method.getKey();
            if (!name.startsWith(HEALTH_SERVICE) && !longLivedMethods.matches(name)) {
                arrived += method.getValue().startedCalls();
            }
        }
        return arrived;
    }

    /** {@code call} has finished. */
    void finished(TrackedCall<?, ?> call) {
        calls.remove(call);
        // Read after the count went down, while awaitIdle sets the number before it reads
        // the count: one of them sees the other.
        int awaited = awaitedInFlight;
        if (awaited >= 0 && inFlight() <= awaited) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * The listeners have closed: tells every handler that asked for the
     * {@link DrainSignal} (its actions run on threads of this drain, never on the
     * caller's), and closes the calls of {@code longLivedMethods} whose handlers did not
     * with {@code releaseStatus}; calls that arrive later get the same, until
     * {@link #endDrain()}. Returns the calls this released, oldest first.
     */
    public List<InFlightCall> beginDrain(Status releaseStatus, MethodPatterns longLivedMethods) {
        Drain current = new Drain(releaseStatus, longLivedMethods, new DrainActions());
        this.drain = current;
        long now = System.nanoTime();
        List<InFlightCall> releasedNow = new ArrayList<>();
        for (TrackedCall<?, ?> call : oldestFirst(now)) {
            if (drainBegan(call, current)) {
                releasedNow.add(call.snapshot(now));
            }
        }
        return releasedNow;
    }

    /**
     * From now on, every new call is closed with {@code status} before any handler sees
     * it, until {@link #acceptNewCalls()}: for a transport whose connections the drain
     * cannot close, such as a servlet container that also serves Actuator. Calls already
     * in flight are not touched.
     */
    public void refuseNewCalls(Status status) {
        refusal = status;
    }

    /**
     * New calls are served again, as before {@link #refuseNewCalls}: at a lifecycle
     * restart.
     */
    public void acceptNewCalls() {
        refusal = null;
    }

    /**
     * The drain is over and its servers have stopped: drain actions still running are
     * interrupted (a warning names them), and calls of a server started after this, as on
     * a lifecycle restart, are tracked as before the drain.
     */
    public void endDrain() {
        Drain current = drain;
        drain = null;
        if (current != null) {
            current.actions.close();
        }
    }

    private boolean drainBegan(TrackedCall<?, ?> call, Drain current) {
        Status release = current.longLived(call.fullMethodName()) ? current.releaseStatus : null;
        if (call.drainBegan(release, current.actions)) {
            released.increment();
            return true;
        }
        return false;
    }

    /**
     * Waits until no call is in flight or the deadline ({@link System#nanoTime()})
     * passes; returns whether none is.
     */
    public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        return awaitIdle(deadlineNanos, 0);
    }

    /**
     * Waits until at most {@code stillRunning} calls are in flight or the deadline
     * ({@link System#nanoTime()}) passes; returns whether they are. For a drain that runs
     * inside a handler (see {@link #currentCallMethod()}), whose own call cannot finish
     * before the drain does.
     */
    public boolean awaitIdle(long deadlineNanos, int stillRunning) throws InterruptedException {
        return awaitIdle(DrainClock.system(), deadlineNanos, stillRunning);
    }

    /**
     * {@link #awaitIdle(long, int)} on {@code clock}, whose scale {@code deadlineNanos}
     * is on.
     */
    public boolean awaitIdle(DrainClock clock, long deadlineNanos, int stillRunning) throws InterruptedException {
        awaitedInFlight = stillRunning;
        try {
            synchronized (idle) {
                while (inFlight() > stillRunning) {
                    if (deadlineNanos - clock.nanoTime() <= 0) {
                        return false;
                    }
                    clock.awaitOn(idle, deadlineNanos);
                }
                return true;
            }
        }
        finally {
            awaitedInFlight = -1;
        }
    }

    /**
     * The full method name of this tracker's call whose context is current on this thread
     * (its handler runs here), or {@code null} outside one.
     */
    public String currentCallMethod() {
        TrackedCall<?, ?> call = TrackedCall.current();
        return call == null || call.tracker() != this ? null : call.fullMethodName();
    }

    /**
     * The status the drain closed the call with whose end is being told on this thread
     * (the call's context is current), or {@code null} elsewhere: for what observes
     * calls, as a traced call's observation stops.
     */
    public static Status currentCallEndedByDrain() {
        return TrackedCall.currentEndedByDrain();
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

    /**
     * Calls in flight by full method name, for the methods that have any, sorted by name.
     */
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
        return oldestFirst(now).stream().limit(limit).map(call -> call.snapshot(now)).toList();
    }

    /**
     * Calls that have finished on their own (neither released nor ended by the drain)
     * since the server started.
     */
    public long completedCalls() {
        long count = 0;
        for (ServedMethod method : methods.values()) {
            count += method.completed();
        }
        return count;
    }

    /**
     * Of the {@linkplain #completedCalls() completed calls}, those whose clients did not
     * get OK: their handlers (or an interceptor) closed them with an error status, their
     * handlers threw, or they were cancelled (by the client, or the transport).
     */
    public long failedCalls() {
        long count = 0;
        for (ServedMethod method : methods.values()) {
            count += method.failed();
        }
        return count;
    }

    /** Long-lived calls the drain released when the listeners closed. */
    public long releasedCalls() {
        return released.sum();
    }

    /** New calls refused since the server started ({@link #refuseNewCalls}). */
    public long refusedCalls() {
        return refused.sum();
    }

    /** Calls the drain ended at its deadline ({@link #endAll}). */
    public long endedCalls() {
        return ended.sum();
    }

    /**
     * Calls this tracker has seen since the server started: each is in flight, or counted
     * once as completed, released or ended.
     */
    public long trackedCalls() {
        long count = 0;
        for (ServedMethod method : methods.values()) {
            count += method.startedCalls();
        }
        return count;
    }

    /**
     * Closes every call still in flight with {@code status}, oldest first, and returns
     * the calls this closed; during a drain, calls that arrive later are closed the same
     * way as they arrive. A handler still working on such a call sees its later writes
     * dropped quietly.
     */
    public List<InFlightCall> endAll(Status status) {
        Drain current = drain;
        if (current != null) {
            current.endStatus = status;
        }
        long now = System.nanoTime();
        List<InFlightCall> ended = new ArrayList<>();
        for (TrackedCall<?, ?> call : oldestFirst(now)) {
            if (call.end(status)) {
                this.ended.increment();
                ended.add(call.snapshot(now));
            }
        }
        return ended;
    }

    private List<TrackedCall<?, ?>> oldestFirst(long nowNanos) {
        List<TrackedCall<?, ?>> running = new ArrayList<>(calls);
        running.sort(Comparator.comparingLong((TrackedCall<?, ?> call) -> call.ageNanos(nowNanos)).reversed());
        return running;
    }

    /**
     * What a drain under way needs for the calls it meets: the release status and the
     * methods it releases, the runner of drain actions and, once its deadline has passed,
     * the status calls are ended with.
     */
    private static final class Drain {

        final Status releaseStatus;

        final MethodPatterns longLivedMethods;

        /**
         * Whether each method seen is long-lived, so that each pattern is matched once
         * per method and drain.
         */
        final ConcurrentMap<String, Boolean> longLived = new ConcurrentHashMap<>();

        final DrainActions actions;

        volatile Status endStatus;

        Drain(Status releaseStatus, MethodPatterns longLivedMethods, DrainActions actions) {
            this.releaseStatus = releaseStatus;
            this.longLivedMethods = longLivedMethods;
            this.actions = actions;
        }

        boolean longLived(String fullMethodName) {
            return longLived.computeIfAbsent(fullMethodName, longLivedMethods::matches);
        }

    }

}
