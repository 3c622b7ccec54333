package io.github.grpcgraceful.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The whole drain, from its start to its end, in a flight recording. */
@Name("io.github.grpcgraceful.Drain")
@Label("gRPC Drain")
@Category({ "gRPC", "Graceful Shutdown" })
@Description("A graceful drain of the gRPC server, from health going out of service to the end")
@StackTrace(false)
class DrainRecorded extends Event {

    @Label("Calls in Flight at the Start")
    int inFlightAtStart;

    @Label("Drain-Delay")
    @Description("The drain-delay the drain started with (its maximum, if it ends on evidence)")
    @Timespan(Timespan.NANOSECONDS)
    long drainDelay;

    @Label("Grace Period")
    @Timespan(Timespan.NANOSECONDS)
    long gracePeriod;

    @Label("Outcome")
    @Description("completed, or forced at the deadline")
    String outcome;

    @Label("Completed Calls")
    long completedCalls;

    @Label("Failed Calls")
    @Description("Of the completed calls, those whose clients did not get OK")
    long failedCalls;

    @Label("Released Streams")
    long releasedCalls;

    @Label("Calls Ended at the Deadline")
    long endedCalls;

}
