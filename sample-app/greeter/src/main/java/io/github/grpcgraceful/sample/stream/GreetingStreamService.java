package io.github.grpcgraceful.sample.stream;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.util.concurrent.MoreExecutors;

import io.github.grpcgraceful.api.DrainSignal;
import io.github.grpcgraceful.sample.greeter.GoDuration;
import io.github.grpcgraceful.sample.greeter.GreeterProperties;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * Greets a subscriber at every interval until the subscriber leaves. When the server
 * drains, it says goodbye and completes the stream with OK, through the starter's
 * {@link DrainSignal}. Every write runs on the one reply-timer thread, so the greetings
 * and the goodbye never overlap.
 */
public class GreetingStreamService extends GreetingStreamGrpc.GreetingStreamImplBase {

    private static final Logger log = LoggerFactory.getLogger(GreetingStreamService.class);

    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    private final ScheduledExecutorService timer;

    private final Duration maxInterval;

    public GreetingStreamService(ScheduledExecutorService greeterReplyTimer, GreeterProperties properties) {
        this.timer = greeterReplyTimer;
        this.maxInterval = properties.maxDuration();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Greeting> responseObserver) {
        Duration interval;
        try {
            interval = interval(request.getInterval());
        }
        catch (IllegalArgumentException e) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        log.info("Subscribed: {}", request.getName());
        ServerCallStreamObserver<Greeting> stream = (ServerCallStreamObserver<Greeting>) responseObserver;
        AtomicLong sent = new AtomicLong();
        ScheduledFuture<?> greetings = timer.scheduleAtFixedRate(
                () -> stream.onNext(greeting("Hello " + request.getName() + " #" + sent.incrementAndGet(), false)), 0,
                interval.toNanos(), TimeUnit.NANOSECONDS);
        // A cancel handler also makes writes after the subscriber left no-ops instead of
        // errors.
        stream.setOnCancelHandler(() -> greetings.cancel(false));
        Context.current().addListener(context -> greetings.cancel(false), MoreExecutors.directExecutor());
        DrainSignal.current().onDrain(() -> timer.execute(() -> {
            greetings.cancel(false);
            stream.onNext(greeting("Goodbye " + request.getName() + ": the server is shutting down", true));
            stream.onCompleted();
        }));
    }

    private Duration interval(String text) {
        if (text.isEmpty()) {
            return DEFAULT_INTERVAL;
        }
        Duration interval = GoDuration.parse(text);
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException(
                    "interval \"" + text + "\" is shorter than the minimum of " + GoDuration.format(MIN_INTERVAL));
        }
        if (interval.compareTo(maxInterval) > 0) {
            throw new IllegalArgumentException("interval \"" + text + "\" exceeds the maximum of "
                    + GoDuration.format(maxInterval) + " (sample.greeter.max-duration)");
        }
        return interval;
    }

    private static Greeting greeting(String message, boolean goodbye) {
        return Greeting.newBuilder().setMessage(message).setGoodbye(goodbye).build();
    }

}
