package io.github.grpcgraceful.api;

import java.util.Locale;

/** How a drain ended. */
public enum DrainOutcome {

    /**
     * Every in-flight call finished within the grace period (long-lived streams were
     * released, not waited for).
     */
    COMPLETED,
    /**
     * The grace period ran out and the calls still running were ended with UNAVAILABLE.
     */
    FORCED;

    /** The lowercase name used in logs, events and metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

}
