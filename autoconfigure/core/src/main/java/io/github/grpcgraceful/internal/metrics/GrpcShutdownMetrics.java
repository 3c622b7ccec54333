package io.github.grpcgraceful.internal.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

/**
 * Publishes in-flight calls and drains to Micrometer: a gauge
 * {@code grpc.server.calls.active} per served method (tags {@code service} and
 * {@code method}, as net.devh's own gRPC metrics), the timer
 * {@code grpc.server.drain.duration} (tag {@code outcome}), the timer
 * {@code grpc.server.drain.delay} of the drain-delay taken (tag {@code end}: fixed,
 * evidence or maximum), the gauge {@code grpc.server.drain.budget} (drain-delay plus
 * grace period, as the policy is now) and the counters
 * {@code grpc.server.drain.released.calls} and {@code grpc.server.drain.ended.calls}.
 *
 * <p>
 * Every meter is registered up front, so that each series exists (at 0) before the first
 * drain. The registries stay open during the drain ({@link RegistriesClosedAfterDrain}):
 * push registries publish it at their step, and their final publish carries its timer and
 * counters, recorded as a participant of the drain, before any listener of the drain's
 * events runs.
 */
public class GrpcShutdownMetrics implements DrainParticipant {

    static final String ACTIVE_CALLS = "grpc.server.calls.active";
    static final String DRAIN_DURATION = "grpc.server.drain.duration";
    static final String RELEASED_CALLS = "grpc.server.drain.released.calls";
    static final String ENDED_CALLS = "grpc.server.drain.ended.calls";

    static final String DRAIN_DELAY = "grpc.server.drain.delay";

    static final String DRAIN_BUDGET = "grpc.server.drain.budget";

    private final MeterRegistry registry;

    private final InFlightCallTracker tracker;

    /** The services of the drained servers, known once they have started. */
    private final Supplier<List<ServerServiceDefinition>> services;

    private final Counter releasedCalls;

    private final Counter endedCalls;

    private final Map<DrainOutcome, Timer> drainDurations = new EnumMap<>(DrainOutcome.class);

    private final Map<DrainDelay.End, Timer> drainDelays = new EnumMap<>(DrainDelay.End.class);

    /**
     * Methods with a gauge: servers that serve the same method (Netty and in-process)
     * share its one series.
     */
    private final Set<String> gaugedMethods = ConcurrentHashMap.newKeySet();

    public GrpcShutdownMetrics(MeterRegistry registry, InFlightCallTracker tracker,
            Supplier<List<ServerServiceDefinition>> services, Supplier<DrainPolicy> policy) {
        this.registry = registry;
        this.tracker = tracker;
        this.services = services;
        this.releasedCalls = Counter.builder(RELEASED_CALLS)
            .description("Long-lived gRPC streams released with UNAVAILABLE when the listeners closed for a drain")
            .register(registry);
        this.endedCalls = Counter.builder(ENDED_CALLS)
            .description("gRPC calls ended with UNAVAILABLE because the shutdown grace period ran out")
            .register(registry);
        for (DrainOutcome outcome : DrainOutcome.values()) {
            drainDurations.put(outcome,
                    Timer.builder(DRAIN_DURATION)
                        .description("How long the gRPC server took to drain on shutdown")
                        .tag("outcome", outcome.tag())
                        .register(registry));
        }
        // What a drain may take at most, as the policy is now: an alert compares drains
        // with it.
        TimeGauge.builder(DRAIN_BUDGET, policy, TimeUnit.SECONDS, (current) -> budgetSeconds(current.get()))
            .description("The longest a gRPC drain may take: drain-delay plus grace period")
            .strongReference(true)
            .register(registry);
        for (DrainDelay.End end : DrainDelay.End.values()) {
            drainDelays.put(end,
                    Timer.builder(DRAIN_DELAY)
                        .description("How long the gRPC drain-delay lasted, and why it ended")
                        .tag("end", end.name().toLowerCase(Locale.ROOT))
                        .register(registry));
        }
    }

    /**
     * One gauge per served method once the servers have started, so every series exists
     * (at 0) before any call.
     */
    @EventListener
    public void onContextRefreshed(ContextRefreshedEvent event) {
        for (ServerServiceDefinition service : services.get()) {
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                register(method.getMethodDescriptor().getFullMethodName());
            }
        }
    }

    private void register(String fullMethodName) {
        if (gaugedMethods.add(fullMethodName)) {
            Gauge.builder(ACTIVE_CALLS, tracker, t -> t.inFlight(fullMethodName))
                .description("gRPC calls in flight on the server")
                .tag("service", MethodDescriptor.extractFullServiceName(fullMethodName))
                .tag("method", MethodDescriptor.extractBareMethodName(fullMethodName))
                .strongReference(true)
                .register(registry);
        }
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        drainDurations.get(outcome).record(took);
        if (status.delay() != null) {
            drainDelays.get(status.delay().end()).record(status.delay().took());
        }
        releasedCalls.increment(status.releasedCalls());
        endedCalls.increment(status.endedCalls());
    }

    /** Drain-delay plus grace period, in seconds, or NaN without a policy. */
    private static double budgetSeconds(DrainPolicy policy) {
        return (policy == null) ? Double.NaN : policy.drainDelay().plus(policy.gracePeriod()).toNanos() / 1e9;
    }

    @Override
    public String toString() {
        return "the drain's meters";
    }

}
