package io.github.grpcgraceful.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;

/**
 * The heap an in-flight call retains on a server, with and without the tracker: opens
 * many idle calls (streams whose handler never answers), measures the heap after a full
 * GC, and prints the difference per call.
 *
 * <pre>java -Xmx4g -cp ... io.github.grpcgraceful.benchmarks.InFlightMemory [calls, default 100000] [rounds, default 3]</pre>
 */
public final class InFlightMemory {

    private InFlightMemory() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int round = 1; round <= rounds; round++) {
            double none = retainedPerCall(InProcessEcho.Interceptor.NONE, calls);
            double tracked = retainedPerCall(InProcessEcho.Interceptor.TRACKER, calls);
            System.out
                .printf("round %d: %,d idle calls in flight: %.0f B/call without the tracker, %.0f B/call with it: "
                        + "the tracker retains %.0f B/call%n", round, calls, none, tracked, tracked - none);
        }
    }

    private static double retainedPerCall(InProcessEcho.Interceptor interceptor, int count) throws Exception {
        try (InProcessEcho echo = new InProcessEcho(interceptor)) {
            List<ClientCall<String, String>> open = new ArrayList<>(count);
            long before = heapAfterGc();
            for (int i = 0; i < count; i++) {
                ClientCall<String, String> call = echo.channel().newCall(EchoService.IDLE, CallOptions.DEFAULT);
                call.start(new ClientCall.Listener<>() {
                }, new Metadata());
                call.sendMessage("x");
                call.halfClose();
                call.request(1);
                open.add(call);
            }
            long after = heapAfterGc();
            open.forEach(call -> call.cancel("measured", null));
            return (after - before) / (double) count;
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

}
