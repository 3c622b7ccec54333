package io.github.grpcgraceful.sample.greeter;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.util.concurrent.MoreExecutors;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The article's Greeter: logs {@code Received: <name>}, waits for the requested duration,
 * replies {@code Hello <name>}. The wait is a scheduled reply, not a sleeping thread, and
 * it is dropped as soon as the call is gone (client cancel, deadline, or the server
 * ending the call).
 */
public class GreeterService extends GreeterGrpc.GreeterImplBase {

    private static final Logger log = LoggerFactory.getLogger(GreeterService.class);

    private final ScheduledExecutorService replyTimer;

    private final Duration maxDuration;

    public GreeterService(ScheduledExecutorService greeterReplyTimer, GreeterProperties properties) {
        this.replyTimer = greeterReplyTimer;
        this.maxDuration = properties.maxDuration();
    }

    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
        log.info("Received: {}", request.getName());
        Duration wait;
        try {
            wait = requestedWait(request.getDuration());
        }
        catch (IllegalArgumentException e) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        HelloReply reply = HelloReply.newBuilder().setMessage("Hello " + request.getName()).build();
        if (wait.isZero()) {
            reply(responseObserver, reply);
            return;
        }
        ScheduledFuture<?> pending = replyTimer.schedule(() -> reply(responseObserver, reply), wait.toNanos(),
                TimeUnit.NANOSECONDS);
        // The call's context is cancelled whenever the call ends without our reply.
        Context.current().addListener(context -> pending.cancel(false), MoreExecutors.directExecutor());
    }

    private Duration requestedWait(String text) {
        if (text.isEmpty()) {
            return Duration.ZERO;
        }
        Duration wait = GoDuration.parse(text);
        if (wait.isNegative()) {
            throw new IllegalArgumentException("duration \"" + text + "\" must not be negative");
        }
        if (wait.compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" exceeds the maximum of "
                    + GoDuration.format(maxDuration) + " (sample.greeter.max-duration)");
        }
        return wait;
    }

    private static void reply(StreamObserver<HelloReply> responseObserver, HelloReply reply) {
        responseObserver.onNext(reply);
        responseObserver.onCompleted();
    }

}
