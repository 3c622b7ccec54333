package io.github.grpcgraceful.internal.jfr;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.github.grpcgraceful.api.DrainDelay;
import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.api.InFlightCall;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * Writes the drain into JDK Flight Recorder, when a recording takes it: the drain as one
 * event from its start to its end ({@code io.github.grpcgraceful.Drain}), each step
 * ({@code io.github.grpcgraceful.DrainStep}), and each call it ended or released
 * ({@code io.github.grpcgraceful.CallEnded}). Costs nothing when no recording runs.
 * Spring-free.
 */
public final class FlightRecorderParticipant implements DrainParticipant {

    /** The drain under way, begun at its start; guarded by this. */
    private DrainRecorded drain;

    @Override
    public void drainStarted(DrainStart start) {
        DrainRecorded started = new DrainRecorded();
        started.begin();
        started.inFlightAtStart = start.inFlight();
        started.drainDelay = start.delay().toNanos();
        started.gracePeriod = start.gracePeriod().toNanos();
        synchronized (this) {
            drain = started;
        }
        step("out of service", start.inFlight() + " in flight, drain-delay " + start.delay() + ", grace period "
                + start.gracePeriod());
    }

    @Override
    public void listenerClosed(DrainDelay delay, List<InFlightCall> released) {
        String ended = (delay == null) ? "interrupted"
                : delay.end().name().toLowerCase(Locale.ROOT) + " after " + delay.took();
        step("listener closed", "drain-delay ended " + ended + "; released " + released.size());
        calls(released, "released");
    }

    @Override
    public void deadlineReached(List<InFlightCall> ended) {
        step("deadline", "ended " + ended.size() + " with UNAVAILABLE");
        calls(ended, "ended at the deadline");
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        step("drained", outcome.tag() + " in " + took);
        DrainRecorded ended;
        synchronized (this) {
            ended = drain;
            drain = null;
        }
        if (ended == null) {
            return;
        }
        ended.end();
        if (ended.shouldCommit()) {
            ended.outcome = outcome.tag();
            ended.completedCalls = status.completedCalls();
            ended.failedCalls = status.failedCalls();
            ended.releasedCalls = status.releasedCalls();
            ended.endedCalls = status.endedCalls();
            ended.commit();
        }
    }

    private static void step(String name, String detail) {
        DrainStepRecorded step = new DrainStepRecorded();
        if (step.shouldCommit()) {
            step.step = name;
            step.detail = detail;
            step.commit();
        }
    }

    private static void calls(List<InFlightCall> calls, String how) {
        for (InFlightCall call : calls) {
            CallEndedRecorded ended = new CallEndedRecorded();
            if (!ended.shouldCommit()) {
                return;
            }
            ended.method = call.fullMethodName();
            ended.runningFor = call.runningFor().toNanos();
            ended.how = how;
            ended.commit();
        }
    }

    @Override
    public String toString() {
        return "the drain's flight recorder events";
    }

}
