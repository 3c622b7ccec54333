package io.github.grpcgraceful.benchmarks;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;

/**
 * One call through an in-process server (client and server in one thread), with each
 * interceptor side by side in one run: the difference to {@code NONE} is what the
 * interceptor costs. Run with {@code -prof gc} for bytes per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
public class CallBenchmark {

    /** Messages per streamed call in {@link #streamedMessage}. */
    static final int MESSAGES = 1000;

    @Param({ "NONE", "TRACKER", "COUNT_ONLY", "OWN_CONTEXT_ONLY", "NETDEVH_METRICS", "MICROMETER_OBSERVATION" })
    public InProcessEcho.Interceptor interceptor;

    private InProcessEcho echo;

    @Setup
    public void start() throws Exception {
        echo = new InProcessEcho(interceptor);
    }

    @TearDown
    public void stop() throws InterruptedException {
        echo.close();
    }

    /** A whole unary call: start, request, response, close. */
    @Benchmark
    public String unaryCall() {
        return ClientCalls.blockingUnaryCall(echo.channel(), EchoService.UNARY, CallOptions.DEFAULT, "x");
    }

    /**
     * One message of a server stream of {@value #MESSAGES}: the per-message cost of the
     * call wrapper.
     */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void streamedMessage(Blackhole blackhole) {
        Iterator<String> messages = ClientCalls.blockingServerStreamingCall(echo.channel(), EchoService.STREAM,
                CallOptions.DEFAULT, Integer.toString(MESSAGES));
        while (messages.hasNext()) {
            blackhole.consume(messages.next());
        }
    }

}
