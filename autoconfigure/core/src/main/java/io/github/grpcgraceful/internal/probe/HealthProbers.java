package io.github.grpcgraceful.internal.probe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.grpcgraceful.internal.clock.DrainClock;

/**
 * Who probes this server's health, and when each last did: HTTP callers of Actuator's
 * health and readiness, and gRPC health {@code Check} callers, each told apart by its
 * peer. An evidence-based drain-delay waits until every prober seen shortly before the
 * drain has probed again since health went out of service, and so has been answered out
 * of service. Spring-free; times are on the drain's clock.
 */
public final class HealthProbers {

    /** At most this many probers are remembered: the ones that probed last. */
    static final int REMEMBERED = 256;

    private final DrainClock clock;

    /** When each prober last probed; guarded by this. */
    private final Map<String, Long> lastProbes = new HashMap<>();

    public HealthProbers(DrainClock clock) {
        this.clock = clock;
    }

    /** {@code prober} (its kind and peer, as the log shows it) probes health now. */
    public void probed(String prober) {
        long now = clock.nanoTime();
        synchronized (this) {
            lastProbes.put(prober, now);
            if (lastProbes.size() > REMEMBERED) {
                forgetOldest();
            }
        }
    }

    /**
     * The probers seen since {@code seenSinceNanos}, and which of them have not probed
     * since {@code turnedNanos}, when health went out of service.
     */
    public synchronized ProbeEvidence evidence(long seenSinceNanos, long turnedNanos) {
        int seen = 0;
        List<String> waitingFor = new ArrayList<>();
        String lastAnswered = null;
        long lastAnsweredNanos = 0;
        for (Map.Entry<String, Long> probe : lastProbes.entrySet()) {
            long at = probe.getValue();
            if (at - seenSinceNanos < 0) {
                continue;
            }
            seen++;
            if (at - turnedNanos < 0) {
                waitingFor.add(probe.getKey());
            }
            else if (lastAnswered == null || at - lastAnsweredNanos > 0) {
                lastAnswered = probe.getKey();
                lastAnsweredNanos = at;
            }
        }
        waitingFor.sort(null);
        return new ProbeEvidence(seen, List.copyOf(waitingFor), lastAnswered, lastAnsweredNanos);
    }

    private void forgetOldest() {
        String oldest = null;
        long oldestAt = 0;
        for (Map.Entry<String, Long> probe : lastProbes.entrySet()) {
            if (oldest == null || probe.getValue() - oldestAt < 0) {
                oldest = probe.getKey();
                oldestAt = probe.getValue();
            }
        }
        lastProbes.remove(oldest);
    }

    /**
     * What the probers show at one moment.
     *
     * @param seen probers seen in the window
     * @param waitingFor those of them not answered out of service yet, by name
     * @param lastAnswered the prober answered out of service last, or {@code null}
     * @param lastAnsweredNanos when it was, on the drain's clock
     */
    public record ProbeEvidence(int seen, List<String> waitingFor, String lastAnswered, long lastAnsweredNanos) {

        /** Whether every prober seen has been answered out of service. */
        public boolean allAnswered() {
            return waitingFor.isEmpty();
        }

    }

}
