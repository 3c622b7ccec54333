package io.github.grpcgraceful.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.common.util.concurrent.MoreExecutors;

import io.github.grpcgraceful.api.DrainSignal;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A test service with plain-text messages, so the tests need no generated code:
 * {@code test.Slow/Sleep} replies after the requested milliseconds,
 * {@code test.Slow/Stream} sends a message every 20 ms until the call ends,
 * {@code test.Slow/Subscribe} does the same but, told by the {@link DrainSignal} that the
 * server drains, sends {@code goodbye} and completes, {@code test.Slow/Fail} throws. A
 * {@code Subscribe} request of {@link #BLOCK_ON_DRAIN} has a drain action that blocks for
 * a minute instead (the stream then runs until the call ends); one of
 * {@link #THROW_ON_DRAIN} has an action that throws an {@code AssertionError} before the
 * one that says goodbye. {@code test.Slow/Collect} takes a stream of messages and
 * replies, once the client half-closes, with how many it took.
 */
public class SlowService implements BindableService {

    public static final MethodDescriptor<String, String> SLEEP = TextMethods.method("test.Slow", "Sleep",
            MethodDescriptor.MethodType.UNARY);

    public static final MethodDescriptor<String, String> STREAM = TextMethods.method("test.Slow", "Stream",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    public static final MethodDescriptor<String, String> SUBSCRIBE = TextMethods.method("test.Slow", "Subscribe",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    public static final MethodDescriptor<String, String> FAIL = TextMethods.method("test.Slow", "Fail",
            MethodDescriptor.MethodType.UNARY);

    public static final MethodDescriptor<String, String> COLLECT = TextMethods.method("test.Slow", "Collect",
            MethodDescriptor.MethodType.CLIENT_STREAMING);

    public static final String BLOCK_ON_DRAIN = "block-on-drain";

    public static final String THROW_ON_DRAIN = "throw-on-drain";

    private final AtomicInteger received = new AtomicInteger();

    private final AtomicInteger running = new AtomicInteger();

    private final AtomicInteger collected = new AtomicInteger();

    private final List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();

    private final List<Throwable> cancellationCauses = new CopyOnWriteArrayList<>();

    private final AtomicInteger cancelHandlersRun = new AtomicInteger();

    /** How many calls reached a handler. */
    public int received() {
        return received.get();
    }

    /** How many messages {@code Collect} calls have taken, all calls together. */
    public int collected() {
        return collected.get();
    }

    /**
     * How many handlers are still running; a handler returns as soon as its call is over.
     */
    public int running() {
        return running.get();
    }

    /**
     * Exceptions the handlers met while writing to their calls; a correct drain leaves
     * this empty.
     */
    public List<Throwable> handlerErrors() {
        return handlerErrors;
    }

    /**
     * How many {@code Sleep} calls ended for their handlers as cancelled: their cancel
     * handler ({@code ServerCallStreamObserver.setOnCancelHandler}) ran, as it does when
     * the client cancels.
     */
    public int cancelHandlersRun() {
        return cancelHandlersRun.get();
    }

    /**
     * Why the handlers' contexts were cancelled, for the handlers that learnt so while
     * they waited.
     */
    public List<Throwable> cancellationCauses() {
        return cancellationCauses;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder("test.Slow")
            .addMethod(SLEEP, ServerCalls.asyncUnaryCall(this::sleep))
            .addMethod(STREAM, ServerCalls.asyncServerStreamingCall(this::stream))
            .addMethod(SUBSCRIBE, ServerCalls.asyncServerStreamingCall(this::subscribe))
            .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(this::collect))
            .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, observer) -> {
                received.incrementAndGet();
                throw new IllegalStateException("handler failed on purpose");
            }))
            .build();
    }

    private void sleep(String millis, StreamObserver<String> observer) {
        ((ServerCallStreamObserver<String>) observer).setOnCancelHandler(cancelHandlersRun::incrementAndGet);
        received.incrementAndGet();
        running.incrementAndGet();
        try {
            if (!awaitCallEnd(Long.parseLong(millis))) {
                write(observer, "slept " + millis);
                complete(observer);
            }
        }
        finally {
            running.decrementAndGet();
        }
    }

    private StreamObserver<String> collect(StreamObserver<String> observer) {
        received.incrementAndGet();
        return new StreamObserver<>() {

            private int taken;

            @Override
            public void onNext(String message) {
                taken++;
                collected.incrementAndGet();
            }

            @Override
            public void onError(Throwable error) {
                // The client or the connection ended the call: nothing to reply.
            }

            @Override
            public void onCompleted() {
                observer.onNext("collected " + taken);
                observer.onCompleted();
            }

        };
    }

    private void stream(String ignored, StreamObserver<String> observer) {
        received.incrementAndGet();
        running.incrementAndGet();
        try {
            int sent = 0;
            while (!awaitCallEnd(20)) {
                write(observer, "message " + sent++);
            }
            // Late writes after the server ended the call must be dropped quietly.
            write(observer, "late");
            complete(observer);
        }
        finally {
            running.decrementAndGet();
        }
    }

    private void subscribe(String request, StreamObserver<String> observer) {
        received.incrementAndGet();
        running.incrementAndGet();
        try {
            CountDownLatch draining = new CountDownLatch(1);
            DrainSignal signal = DrainSignal.current();
            if (BLOCK_ON_DRAIN.equals(request)) {
                signal.onDrain(() -> sleepQuietly(60_000));
            }
            else {
                if (THROW_ON_DRAIN.equals(request)) {
                    signal.onDrain(() -> {
                        throw new AssertionError("drain action failed on purpose");
                    });
                }
                signal.onDrain(draining::countDown);
            }
            int sent = 0;
            while (draining.getCount() > 0 && !awaitCallEnd(20)) {
                write(observer, "message " + sent++);
            }
            write(observer, "goodbye");
            complete(observer);
        }
        finally {
            running.decrementAndGet();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the call ends (the context is cancelled) or the time is up; returns
     * whether the call ended.
     */
    /**
     * Waits {@code millis} unless the call ends first; returns whether it ended. The
     * listener stays on the call's context after the wait, so that a test sees the
     * context cancelled when the call completes. A wait of 0 registers none: the
     * benchmarks' calls would otherwise each keep a cause.
     */
    private boolean awaitCallEnd(long millis) {
        if (millis <= 0) {
            return Context.current().isCancelled();
        }
        CountDownLatch ended = new CountDownLatch(1);
        Context.current().addListener(context -> {
            if (ended.getCount() > 0) {
                cancellationCauses.add(context.cancellationCause() == null ? new IllegalStateException("no cause")
                        : context.cancellationCause());
            }
            ended.countDown();
        }, MoreExecutors.directExecutor());
        try {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void write(StreamObserver<String> observer, String message) {
        try {
            observer.onNext(message);
        }
        catch (RuntimeException e) {
            handlerErrors.add(e);
        }
    }

    private void complete(StreamObserver<String> observer) {
        try {
            observer.onCompleted();
        }
        catch (RuntimeException e) {
            handlerErrors.add(e);
        }
    }

}
