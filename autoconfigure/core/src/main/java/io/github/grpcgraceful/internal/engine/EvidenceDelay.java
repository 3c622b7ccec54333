package io.github.grpcgraceful.internal.engine;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.internal.clock.DrainClock;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.probe.HealthProbers;
import io.github.grpcgraceful.internal.probe.HealthProbers.ProbeEvidence;

/**
 * A drain-delay that ends as soon as the evidence says traffic has moved away: every
 * health prober seen within one drain-delay before the drain has probed again since
 * health went out of service (so it was answered out of service), and no new call has
 * arrived for the quiet period (health checks and long-lived streams aside). Otherwise it
 * ends at the drain-delay, its maximum: under traffic that keeps arriving, it is the
 * fixed delay. It looks at the evidence every {@link #LOOK_AGAIN} on the drain's clock.
 */
final class EvidenceDelay {

    private static final Logger log = LoggerFactory.getLogger(DrainEngine.class);

    /** How often the evidence is looked at. */
    static final Duration LOOK_AGAIN = Duration.ofMillis(100);

    private final InFlightCallTracker tracker;

    private final DrainClock clock;

    private final DrainPolicy policy;

    /** When the drain started. */
    private final long startNanos;

    /** When health went out of service: the participants had been told. */
    private final long turnedNanos;

    EvidenceDelay(InFlightCallTracker tracker, DrainClock clock, DrainPolicy policy, long startNanos,
            long turnedNanos) {
        this.tracker = tracker;
        this.clock = clock;
        this.policy = policy;
        this.startNanos = startNanos;
        this.turnedNanos = turnedNanos;
    }

    /**
     * Waits on {@code monitor} until the evidence is in or the drain-delay is over, and
     * says why it ended in the log.
     */
    DrainDelay await(Object monitor) throws InterruptedException {
        long maxNanos = startNanos + policy.drainDelay().toNanos();
        long quietNanos = policy.quietPeriod().toNanos();
        long seenSinceNanos = startNanos - policy.drainDelay().toNanos();
        HealthProbers probers = tracker.probers();
        long arrivals = tracker.arrivals(policy.longLivedMethods());
        // The quiet period counts from the moment health went out of service.
        long quietSinceNanos = turnedNanos;
        long lastCallNanos = 0;
        boolean anyCall = false;
        synchronized (monitor) {
            while (true) {
                long now = clock.nanoTime();
                long arrived = tracker.arrivals(policy.longLivedMethods());
                if (arrived != arrivals) {
                    arrivals = arrived;
                    quietSinceNanos = now;
                    lastCallNanos = now;
                    anyCall = true;
                }
                ProbeEvidence evidence = probers.evidence(seenSinceNanos, turnedNanos);
                boolean onEvidence = evidence.allAnswered() && now - quietSinceNanos >= quietNanos;
                if (onEvidence || now - maxNanos >= 0) {
                    DrainDelay ended = new DrainDelay(onEvidence ? DrainDelay.End.EVIDENCE : DrainDelay.End.MAXIMUM,
                            since(now), evidence.seen(), evidence.lastAnswered(),
                            (evidence.lastAnswered() == null) ? null : since(evidence.lastAnsweredNanos()),
                            anyCall ? since(lastCallNanos) : null);
                    log.info(describe(ended, evidence));
                    return ended;
                }
                clock.awaitOn(monitor, Math.min(maxNanos, now + LOOK_AGAIN.toNanos()));
            }
        }
    }

    private Duration since(long nanos) {
        return Duration.ofNanos(nanos - startNanos);
    }

    private String describe(DrainDelay ended, ProbeEvidence evidence) {
        String lastCall = (ended.lastCallAfter() == null) ? "no new call during the delay"
                : "the last new call at " + Durations.seconds(ended.lastCallAfter());
        if (ended.end() == DrainDelay.End.EVIDENCE) {
            String probers = (evidence.seen() == 0) ? "no health prober seen"
                    : plural(evidence.seen(), "health prober") + " seen, all answered out of service (the last: "
                            + evidence.lastAnswered() + ", at " + Durations.seconds(ended.lastAnsweredAfter()) + ")";
            String quiet = (ended.lastCallAfter() == null) ? lastCall
                    : "no new call for " + Durations.describe(policy.quietPeriod()) + " (the last at "
                            + Durations.seconds(ended.lastCallAfter()) + ")";
            return "gRPC drain-delay ended on evidence after " + Durations.seconds(ended.took()) + " (at most "
                    + Durations.describe(policy.drainDelay()) + "): " + probers + "; " + quiet;
        }
        String probers = evidence.allAnswered()
                ? ((evidence.seen() == 0) ? "no health prober seen" : "every health prober answered out of service")
                : evidence.waitingFor().size() + " of " + plural(evidence.seen(), "health prober")
                        + " not answered out of service (" + String.join(", ", evidence.waitingFor()) + ")";
        return "gRPC drain-delay ended at its maximum, " + Durations.describe(policy.drainDelay()) + ": " + probers
                + "; " + lastCall;
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + ((count == 1) ? "" : "s");
    }

}
