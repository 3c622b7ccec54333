package io.github.grpcgraceful.benchmarks;

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
import org.openjdk.jmh.annotations.Warmup;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;

/**
 * The server's side of one call without the transport: what gRPC's server does per call
 * (a cancellable context, the interceptors and handler started in it, each listener
 * callback delivered in it) around a call object that only counts what is written.
 * Without the transport's thousand-odd nanoseconds and their noise, an interceptor's own
 * cost shows to the nanosecond and its allocation to the byte; {@link CallBenchmark}
 * shows the same through a whole call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
public class InterceptorBenchmark {

    @Param({ "NONE", "TRACKER", "COUNT_ONLY", "OWN_CONTEXT_ONLY", "NETDEVH_METRICS" })
    public InProcessEcho.Interceptor interceptor;

    private final Context serverRoot = Context.ROOT.withValue(Context.key("server"), "a server");

    /**
     * A server reads the headers off the wire for every call, with or without
     * interceptors: not measured here.
     */
    private final Metadata headers = new Metadata();

    private ServerCallHandler<String, String> unary;

    private ServerCallHandler<String, String> stream;

    @Setup
    public void intercept() {
        ServerServiceDefinition service = EchoService.definition();
        ServerInterceptor created = interceptor.create();
        if (created != null) {
            service = ServerInterceptors.intercept(service, created);
        }
        unary = handler(service, EchoService.UNARY);
        stream = handler(service, EchoService.STREAM);
    }

    @SuppressWarnings("unchecked")
    private static ServerCallHandler<String, String> handler(ServerServiceDefinition service,
            MethodDescriptor<String, String> method) {
        ServerMethodDefinition<?, ?> definition = service.getMethod(method.getFullMethodName());
        return (ServerCallHandler<String, String>) definition.getServerCallHandler();
    }

    /**
     * One unary call: started, its request delivered, half-closed, answered, completed.
     */
    @Benchmark
    public long unaryCall() {
        return serve(unary, EchoService.UNARY, "x");
    }

    /** One message of a server stream of {@value CallBenchmark#MESSAGES}. */
    @Benchmark
    @OperationsPerInvocation(CallBenchmark.MESSAGES)
    public long streamedMessage() {
        return serve(stream, EchoService.STREAM, Integer.toString(CallBenchmark.MESSAGES));
    }

    /** What gRPC's server does for one call, in the order it does it. */
    private long serve(ServerCallHandler<String, String> handler, MethodDescriptor<String, String> method,
            String request) {
        CountingCall call = new CountingCall(method);
        Context.CancellableContext callContext = serverRoot.withCancellation();
        Context previous = callContext.attach();
        try {
            ServerCall.Listener<String> listener = handler.startCall(call, headers);
            listener.onReady();
            listener.onMessage(request);
            listener.onHalfClose();
            listener.onComplete();
        }
        finally {
            callContext.detach(previous);
            callContext.cancel(null);
        }
        return call.written;
    }

    /**
     * The transport's side of a call, reduced to counting what the handler writes. It
     * hands the headers and trailers on, as a transport serializing them would, so that
     * the JIT cannot drop them when nothing wraps the call (and count them against
     * whatever does).
     */
    private static final class CountingCall extends ServerCall<String, String> {

        /** Where the transport would write: a field the JIT must assume anyone reads. */
        static Metadata lastWritten;

        private final MethodDescriptor<String, String> method;

        long written;

        CountingCall(MethodDescriptor<String, String> method) {
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
            lastWritten = headers;
            written++;
        }

        @Override
        public void sendMessage(String message) {
            written += message.length();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            lastWritten = trailers;
            written += status.getCode().value();
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            return method;
        }

    }

}
