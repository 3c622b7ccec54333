package io.github.grpcgraceful.boot4.servlet;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.testing.SlowService;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Tomcat's HTTP/2 overhead protection and gRPC, as docs/servlet-transport.md describes
 * them: a client that sends small messages, each in a DATA frame of its own, is taken for
 * an attacker and loses its connection, unless Tomcat's small-frame check is off.
 * grpc-java's own clients send such frames for client streams, and for unary calls when
 * the request and the end of the stream leave in two writes, which a busy machine
 * decides. Each message here leaves only once the service has the one before, so each is
 * a frame of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class TomcatOverheadProtectionTest {

    private static final String HINT = "set its HTTP/2 overheadDataThreshold to 0";

    private static final int MESSAGES = 20;

    private Boot4GrpcApp app;

    @AfterEach
    void close() {
        if (app != null) {
            app.closeAfterTest();
        }
    }

    @Test
    void withTomcatsDefaultsAStreamOfSmallMessagesLosesItsConnection(CapturedOutput output) throws Exception {
        app = Boot4GrpcApp.startServlet("test.tomcat.small-grpc-frames-allowed=false");
        assertThat(output).as("the starter's hint at startup").containsOnlyOnce(HINT);

        Status status = sendSmallMessagesOneByOne();

        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("ENHANCE_YOUR_CALM").contains("Too much overhead");
        // The second message's frame tips the count over; the service may still take it
        // before the connection is gone.
        assertThat(app.service().collected()).as("messages the service took before Tomcat closed the connection")
            .isBetween(1, 2);
    }

    @Test
    void withTheSmallFrameCheckOffTheSameStreamCompletes(CapturedOutput output) throws Exception {
        app = Boot4GrpcApp.startServlet();
        assertThat(output).doesNotContain(HINT);

        Status status = sendSmallMessagesOneByOne();

        assertThat(status.getCode()).isEqualTo(Status.Code.OK);
        assertThat(app.service().collected()).isEqualTo(MESSAGES);
    }

    /**
     * Sends {@link #MESSAGES} one-character messages on a {@code Collect} call, each once
     * the service took the one before (or until the call ends), and returns how the call
     * ended.
     */
    private Status sendSmallMessagesOneByOne() throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<String, String> call = app.newChannel()
            .newCall(SlowService.COLLECT, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        for (int sent = 1; sent <= MESSAGES && !closed.isDone(); sent++) {
            call.sendMessage("m");
            int expected = sent;
            await(() -> app.service().collected() >= expected || closed.isDone(), Duration.ofSeconds(30));
        }
        if (!closed.isDone()) {
            call.halfClose();
        }
        return closed.get(30, TimeUnit.SECONDS);
    }

}
