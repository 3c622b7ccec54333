package io.github.grpcgraceful.internal.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;

/**
 * {@code /actuator/grpcshutdown}: what is in flight and how the drain goes. Read-only.
 */
@Endpoint(id = "grpcshutdown")
public class GrpcShutdownEndpoint {

    /** How many of the oldest in-flight calls the report lists. */
    static final int OLDEST_CALLS = 50;

    private final GrpcServerDrainer drainer;

    private final InFlightCallTracker tracker;

    public GrpcShutdownEndpoint(GrpcServerDrainer drainer, InFlightCallTracker tracker) {
        this.drainer = drainer;
        this.tracker = tracker;
    }

    @ReadOperation
    public Report report() {
        DrainStatus drain = drainer.status();
        List<Call> oldest = tracker.oldest(OLDEST_CALLS).stream().map(Call::of).toList();
        DrainPolicy policy = drainer.policy();
        return new Report(drain.state(), tracker.inFlight(), tracker.inFlightByMethod(), oldest,
                Durations.describe(policy.gracePeriod()), Durations.describe(policy.drainDelay()),
                policy.longLivedMethods().patterns(), drain.state() == DrainState.SERVING ? null : Drain.of(drain),
                drainer.previousDrain() == null ? null : Drain.of(drainer.previousDrain()));
    }

    /**
     * The endpoint's JSON. {@code drain} is the drain under way or ended, {@code null}
     * while serving; {@code previousDrain} the one that ended before the context started
     * again (a lifecycle restart), if any.
     */
    public record Report(DrainState state, int inFlight, Map<String, Integer> inFlightByMethod, List<Call> oldestCalls,
            String gracePeriod, String drainDelay, List<String> longLivedMethods, Drain drain, Drain previousDrain) {
    }

    /** An in-flight call: its method and how long it has run, in seconds. */
    public record Call(String method, double runningSeconds) {

        static Call of(InFlightCall call) {
            return new Call(call.fullMethodName(), seconds(call.runningFor()));
        }
    }

    /**
     * The drain, once started; instants in ISO-8601; {@code delay} once the drain-delay
     * has ended.
     */
    public record Drain(String startedAt, String deadline, String finishedAt, double elapsedSeconds,
            long completedCalls, long failedCalls, long releasedCalls, long endedCalls, Delay delay) {

        static Drain of(DrainStatus drain) {
            return new Drain(iso(drain.startedAt()), iso(drain.deadline()), iso(drain.finishedAt()),
                    seconds(drain.elapsed()), drain.completedCalls(), drain.failedCalls(), drain.releasedCalls(),
                    drain.endedCalls(), Delay.of(drain.delay()));
        }
    }

    /**
     * How the drain-delay ended ({@code fixed}, {@code evidence} or {@code maximum}), how
     * long it took, how many health probers were seen and which was answered out of
     * service last, and when the last new call arrived; times in seconds from the start
     * of the drain.
     */
    public record Delay(String end, double tookSeconds, int probersSeen, String lastAnsweredProber,
            Double lastAnsweredAfterSeconds, Double lastCallAfterSeconds) {

        static Delay of(DrainDelay delay) {
            if (delay == null) {
                return null;
            }
            return new Delay(delay.end().name().toLowerCase(Locale.ROOT), seconds(delay.took()), delay.probersSeen(),
                    delay.lastAnsweredProber(),
                    (delay.lastAnsweredAfter() == null) ? null : seconds(delay.lastAnsweredAfter()),
                    (delay.lastCallAfter() == null) ? null : seconds(delay.lastCallAfter()));
        }
    }

    private static double seconds(Duration duration) {
        return Math.round(duration.toNanos() / 1e6) / 1e3;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

}
