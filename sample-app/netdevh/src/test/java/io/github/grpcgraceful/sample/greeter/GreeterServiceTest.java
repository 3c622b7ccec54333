package io.github.grpcgraceful.sample.greeter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import io.github.grpcgraceful.sample.GrpcTestSupport;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The sample Greeter on a free port, called by a real grpc-java client over the network.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "grpc.server.port=0", "grpc.server.address=127.0.0.1", "sample.greeter.max-duration=1m" })
@Import(GrpcTestSupport.class)
@ExtendWith(OutputCaptureExtension.class)
class GreeterServiceTest {

    @Autowired
    private GrpcTestSupport grpc;

    @Autowired
    private ScheduledThreadPoolExecutor greeterReplyTimer;

    private ManagedChannel channel;

    private GreeterGrpc.GreeterBlockingStub greeter;

    @BeforeEach
    void connect() {
        channel = grpc.newChannel();
        greeter = GreeterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void repliesHelloAfterTheRequestedDurationAndLogsTheName(CapturedOutput output) {
        long start = System.nanoTime();

        HelloReply reply = greeter.sayHello(request("world", "300ms"));

        assertThat(reply.getMessage()).isEqualTo("Hello world");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(output).contains("Received: world");
    }

    @Test
    void emptyDurationMeansNoWait() {
        assertThat(greeter.sayHello(request("gopher", "")).getMessage()).isEqualTo("Hello gopher");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|',
            value = { "abc  | duration \"abc\" is not a valid Go duration", "1x   | unknown unit \"x\"",
                    "-1s  | duration \"-1s\" must not be negative",
                    "2m   | duration \"2m\" exceeds the maximum of 1m0s (sample.greeter.max-duration)", })
    void badDurationGetsInvalidArgumentAndTheServerKeepsServing(String duration, String message) {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> greeter.sayHello(request("world", duration)));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(failure.getStatus().getDescription()).contains(message);
        assertThat(greeter.sayHello(request("again", "")).getMessage()).isEqualTo("Hello again");
    }

    @Test
    void aCallCancelledByItsDeadlineStopsItsWaitPromptly() throws InterruptedException {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> GreeterGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                    .sayHello(request("world", "50s")));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (greeterReplyTimer.getQueue().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(greeterReplyTimer.getQueue()).as("pending replies").isEmpty();
    }

    private static HelloRequest request(String name, String duration) {
        return HelloRequest.newBuilder().setName(name).setDuration(duration).build();
    }

}
