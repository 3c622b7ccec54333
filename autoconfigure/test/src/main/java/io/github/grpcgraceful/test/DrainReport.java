package io.github.grpcgraceful.test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;

/**
 * What one drain did, as its test reads it.
 *
 * @param outcome completed (every call ended by itself) or forced (the deadline ended
 * some)
 * @param took from its start to its end, on the drain's clock
 * @param inFlightAtStart calls in flight when it started
 * @param completed calls that completed during the drain, with any status
 * @param failed of those, the ones that completed with a status other than OK or were
 * cancelled
 * @param released long-lived streams released when the server stopped accepting
 * @param endedAtTheDeadline calls still running at the deadline, ended with UNAVAILABLE
 * @param delay how the drain-delay ended, or {@code null} if the drain had none
 * ({@link GrpcDrain#start()})
 * @param handlersStillAtWork the threads still inside a handler when the drain ended,
 * each with its stack: handlers that ignore cancellation (their calls were ended for
 * their clients, but their code still runs)
 */
public record DrainReport(DrainOutcome outcome, Duration took, int inFlightAtStart, long completed, long failed,
        List<InFlightCall> released, List<InFlightCall> endedAtTheDeadline, DrainDelay delay,
        List<String> handlersStillAtWork) {

    /** The calls ended at the deadline, counted by full method name. */
    public Map<String, Integer> endedAtTheDeadlineByMethod() {
        return byMethod(endedAtTheDeadline);
    }

    /** The streams released, counted by full method name. */
    public Map<String, Integer> releasedByMethod() {
        return byMethod(released);
    }

    private static Map<String, Integer> byMethod(List<InFlightCall> calls) {
        Map<String, Integer> counts = new TreeMap<>();
        calls.forEach((call) -> counts.merge(call.fullMethodName(), 1, Integer::sum));
        return counts;
    }

    /** Collects a drain's report as its steps come. */
    static final class Builder {

        int inFlightAtStart;

        List<InFlightCall> released = List.of();

        List<InFlightCall> endedAtTheDeadline = List.of();

        DrainDelay delay;

        DrainReport build(DrainOutcome outcome, Duration took, DrainStatus status, List<String> handlersStillAtWork) {
            return new DrainReport(outcome, took, inFlightAtStart, status.completedCalls(), status.failedCalls(),
                    released, endedAtTheDeadline, delay, handlersStillAtWork);
        }

    }

}
