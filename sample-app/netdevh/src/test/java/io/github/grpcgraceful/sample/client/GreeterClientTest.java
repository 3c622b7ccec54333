package io.github.grpcgraceful.sample.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.github.grpcgraceful.sample.GrpcTestSupport;

/** The client command against the running sample server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "grpc.server.port=0", "grpc.server.address=127.0.0.1" })
@Import(GrpcTestSupport.class)
class GreeterClientTest {

    @Autowired
    private GrpcTestSupport grpc;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsTheGreeting() {
        int exit = run("--addr", grpc.address(), "--duration", "100ms");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_OK);
        assertThat(text(out)).isEqualTo("Greeting: Hello world\n");
    }

    @Test
    void acceptsKeyEqualsValueOptions() {
        int exit = run("--addr=" + grpc.address(), "--name=gopher", "--duration=0s");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_OK);
        assertThat(text(out)).isEqualTo("Greeting: Hello gopher\n");
    }

    @Test
    void printsTheStatusAndFailsWhenTheServerRejectsTheCall() {
        int exit = run("--addr", grpc.address(), "--duration", "1x");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_RPC_FAILED);
        assertThat(text(err))
            .startsWith("could not greet: INVALID_ARGUMENT: duration \"1x\" is not a valid Go duration");
    }

    @Test
    void printsDeadlineExceededWhenTheTimeoutIsShorterThanTheWait() {
        int exit = run("--addr", grpc.address(), "--duration", "10s", "--timeout", "200ms");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_RPC_FAILED);
        assertThat(text(err)).startsWith("could not greet: DEADLINE_EXCEEDED");
    }

    @Test
    void rejectsUnknownOptionsWithUsage() {
        int exit = run("--port", "1");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_USAGE);
        assertThat(text(err)).contains("unknown option --port").contains("usage: GreeterClient");
    }

    @Test
    void withStreamPrintsEveryGreetingUntilTheStreamEnds() {
        int exit = run("--stream", "--addr", grpc.address(), "--name", "gopher", "--interval", "50ms", "--timeout",
                "400ms");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_RPC_FAILED);
        assertThat(text(out)).startsWith("Greeting: Hello gopher #1\nGreeting: Hello gopher #2\n");
        assertThat(text(err)).startsWith("stream ended: DEADLINE_EXCEEDED");
    }

    @Test
    void withStreamABadIntervalGetsInvalidArgument() {
        int exit = run("--stream", "--addr", grpc.address(), "--interval", "1ms");

        assertThat(exit).isEqualTo(GreeterClient.EXIT_RPC_FAILED);
        assertThat(text(err))
            .isEqualTo("stream ended: INVALID_ARGUMENT: interval \"1ms\" is shorter than the " + "minimum of 10ms\n");
    }

    private int run(String... args) {
        return GreeterClient.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }

}
