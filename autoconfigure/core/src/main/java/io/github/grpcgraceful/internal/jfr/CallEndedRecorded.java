package io.github.grpcgraceful.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A call the drain ended or released, in a flight recording. */
@Name("io.github.grpcgraceful.CallEnded")
@Label("gRPC Call Ended by the Drain")
@Category({ "gRPC", "Graceful Shutdown" })
@Description("A call ended with UNAVAILABLE at the drain's deadline, or a long-lived stream released")
@StackTrace(false)
class CallEndedRecorded extends Event {

    @Label("Method")
    String method;

    @Label("Running For")
    @Timespan(Timespan.NANOSECONDS)
    long runningFor;

    @Label("How")
    @Description("ended at the deadline, or released")
    String how;

}
