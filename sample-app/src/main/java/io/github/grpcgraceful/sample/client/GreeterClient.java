package io.github.grpcgraceful.sample.client;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.grpcgraceful.sample.greeter.GoDuration;
import io.github.grpcgraceful.sample.greeter.GreeterGrpc;
import io.github.grpcgraceful.sample.greeter.HelloReply;
import io.github.grpcgraceful.sample.greeter.HelloRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

/**
 * The article's client: one {@code SayHello} call, then prints the greeting, or the status and exits non-zero.
 *
 * <pre>java -Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient -jar sample.jar --duration 3s</pre>
 */
public final class GreeterClient {

    static final int EXIT_OK = 0;
    static final int EXIT_RPC_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private static final String USAGE = "usage: GreeterClient [--addr host:port] [--name NAME] [--duration GO_DURATION]"
            + " [--timeout GO_DURATION]   (defaults: localhost:50051, world, 10s, 60s)";

    private GreeterClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the client; returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "addr", "localhost:50051", "name", "world", "duration", "10s", "timeout", "60s"));
        Duration timeout;
        try {
            parseInto(options, args);
            timeout = GoDuration.parse(options.get("timeout"));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        ManagedChannel channel = Grpc.newChannelBuilder(options.get("addr"), InsecureChannelCredentials.create()).build();
        try {
            HelloReply reply = GreeterGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .sayHello(HelloRequest.newBuilder()
                            .setName(options.get("name"))
                            .setDuration(options.get("duration"))
                            .build());
            out.println("Greeting: " + reply.getMessage());
            return EXIT_OK;
        } catch (StatusRuntimeException e) {
            err.println("could not greet: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return EXIT_RPC_FAILED;
        } finally {
            channel.shutdownNow();
        }
    }

    /** Accepts {@code --key value} and {@code --key=value} for the known keys. */
    private static void parseInto(Map<String, String> options, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument \"" + arg + "\"");
            }
            String key = arg.substring(2);
            String value;
            int equals = key.indexOf('=');
            if (equals >= 0) {
                value = key.substring(equals + 1);
                key = key.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            options.put(key, value);
        }
    }
}
