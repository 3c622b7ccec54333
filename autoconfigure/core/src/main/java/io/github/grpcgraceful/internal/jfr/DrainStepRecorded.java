package io.github.grpcgraceful.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One step of a drain, in a flight recording. */
@Name("io.github.grpcgraceful.DrainStep")
@Label("gRPC Drain Step")
@Category({ "gRPC", "Graceful Shutdown" })
@Description("A step of a graceful gRPC drain: out of service, listener closed, deadline, drained")
@StackTrace(false)
class DrainStepRecorded extends Event {

    @Label("Step")
    String step;

    @Label("Detail")
    String detail;

}
