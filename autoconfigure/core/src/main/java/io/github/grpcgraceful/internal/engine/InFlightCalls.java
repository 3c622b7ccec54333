package io.github.grpcgraceful.internal.engine;

import java.util.List;
import java.util.stream.Collectors;

import io.github.grpcgraceful.api.InFlightCall;

/**
 * How the drain names the calls it released or ended, in its log and in what it tells its
 * participants.
 */
public final class InFlightCalls {

    /** The calls a description names, at most; the rest are counted. */
    public static final int NAMED = 20;

    private InFlightCalls() {
    }

    /** The first {@link #NAMED} calls by method and age, and how many more there are. */
    public static String describe(List<InFlightCall> calls) {
        String named = calls.stream().limit(NAMED).map(InFlightCall::toString).collect(Collectors.joining(", "));
        return (calls.size() > NAMED) ? named + " and " + (calls.size() - NAMED) + " more" : named;
    }

    /** Every call, not only the first few: a forced stop names each. */
    public static String describeEach(List<InFlightCall> calls) {
        return calls.stream().map(InFlightCall::toString).collect(Collectors.joining(", "));
    }

}
