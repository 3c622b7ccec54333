package io.github.grpcgraceful.sample.client;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.grpcgraceful.sample.greeter.GoDuration;
import io.github.grpcgraceful.sample.greeter.GreeterGrpc;
import io.github.grpcgraceful.sample.greeter.HelloReply;
import io.github.grpcgraceful.sample.greeter.HelloRequest;
import io.github.grpcgraceful.sample.stream.Greeting;
import io.github.grpcgraceful.sample.stream.GreetingStreamGrpc;
import io.github.grpcgraceful.sample.stream.SubscribeRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;

/**
 * The article's client: one {@code SayHello} call, then prints the greeting, or the
 * status and exits non-zero. With {@code --stream} it subscribes to
 * {@code GreetingStream} instead and prints every greeting until the stream ends: exit 0
 * when the server completed it (the goodbye of a draining server), 1 on an error status.
 * {@code SayHello} is retried on {@code UNAVAILABLE} (see {@link #retryServiceConfig()})
 * unless {@code --no-retry} is given.
 *
 * <pre>java -Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient -jar sample.jar --duration 3s
 * java -Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient -jar sample.jar --stream --interval 500ms</pre>
 */
public final class GreeterClient {

    static final int EXIT_OK = 0;
    static final int EXIT_RPC_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private static final String USAGE = "usage: GreeterClient [--addr host:port] [--name NAME] [--duration GO_DURATION]"
            + " [--timeout GO_DURATION] [--no-retry]   (defaults: localhost:50051, world, 10s, 60s)\n"
            + "       GreeterClient --stream [--addr host:port] [--name NAME] [--interval GO_DURATION]"
            + " [--timeout GO_DURATION]   (defaults: localhost:50051, world, 1s, none)";

    private static final String STREAM = "stream";

    private static final String NO_RETRY = "no-retry";

    /**
     * The client's half of a graceful shutdown: {@code SayHello} is retried when it fails
     * with {@code UNAVAILABLE}, as a call does that a draining server ended at its grace
     * deadline, or that reached a server whose listener had just closed. Only idempotent
     * methods may be retried this way; {@code SayHello} only greets. The stream is not
     * retried: its subscriber reconnects.
     */
    public static Map<String, ?> retryServiceConfig() {
        return Map.of("methodConfig",
                List.of(Map.of("name", List.of(Map.of("service", "Greeter", "method", "SayHello")), "retryPolicy",
                        Map.of("maxAttempts", 4.0, "initialBackoff", "0.2s", "maxBackoff", "2s", "backoffMultiplier",
                                2.0, "retryableStatusCodes", List.of("UNAVAILABLE")))));
    }

    private GreeterClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the client; returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>(
                Map.of("addr", "localhost:50051", "name", "world", "duration", "10s", "interval", "", "timeout", ""));
        Duration timeout;
        try {
            parseInto(options, args);
            String defaultTimeout = options.containsKey(STREAM) ? "0" : "60s";
            timeout = GoDuration.parse(options.get("timeout").isEmpty() ? defaultTimeout : options.get("timeout"));
        }
        catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(options.get("addr"),
                InsecureChannelCredentials.create());
        if (!options.containsKey(NO_RETRY)) {
            builder.defaultServiceConfig(retryServiceConfig()).enableRetry();
        }
        ManagedChannel channel = builder.build();
        try {
            return options.containsKey(STREAM) ? subscribe(channel, options, timeout, out, err)
                    : greet(channel, options, timeout, out, err);
        }
        finally {
            channel.shutdownNow();
        }
    }

    private static int greet(ManagedChannel channel, Map<String, String> options, Duration timeout, PrintStream out,
            PrintStream err) {
        try {
            HelloReply reply = GreeterGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .sayHello(HelloRequest.newBuilder()
                    .setName(options.get("name"))
                    .setDuration(options.get("duration"))
                    .build());
            out.println("Greeting: " + reply.getMessage());
            return EXIT_OK;
        }
        catch (StatusRuntimeException e) {
            err.println("could not greet: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return EXIT_RPC_FAILED;
        }
    }

    private static int subscribe(ManagedChannel channel, Map<String, String> options, Duration timeout, PrintStream out,
            PrintStream err) {
        GreetingStreamGrpc.GreetingStreamBlockingStub stub = GreetingStreamGrpc.newBlockingStub(channel);
        if (!timeout.isZero()) {
            stub = stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        try {
            Iterator<Greeting> greetings = stub.subscribe(SubscribeRequest.newBuilder()
                .setName(options.get("name"))
                .setInterval(options.get("interval"))
                .build());
            greetings.forEachRemaining(greeting -> out.println("Greeting: " + greeting.getMessage()));
            out.println("The server completed the stream.");
            return EXIT_OK;
        }
        catch (StatusRuntimeException e) {
            err.println("stream ended: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return EXIT_RPC_FAILED;
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
            if (key.equals(STREAM) || key.equals(NO_RETRY)) {
                options.put(key, "true");
                continue;
            }
            String value;
            int equals = key.indexOf('=');
            if (equals >= 0) {
                value = key.substring(equals + 1);
                key = key.substring(0, equals);
            }
            else if (i + 1 < args.length) {
                value = args[++i];
            }
            else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            options.put(key, value);
        }
    }

}
