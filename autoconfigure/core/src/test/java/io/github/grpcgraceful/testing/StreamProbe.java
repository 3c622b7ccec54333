package io.github.grpcgraceful.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** The client's side of a stream: what arrived, and how the stream ended. */
public final class StreamProbe<T> implements StreamObserver<T> {

    private final List<T> messages = new CopyOnWriteArrayList<>();

    private final CountDownLatch first = new CountDownLatch(1);

    private final CompletableFuture<Status> closed = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
        messages.add(value);
        first.countDown();
    }

    @Override
    public void onError(Throwable t) {
        closed.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        closed.complete(Status.OK);
    }

    public List<T> messages() {
        return List.copyOf(messages);
    }

    /** Waits for the first message; fails if none comes within 10 s. */
    public StreamProbe<T> awaitFirstMessage() throws InterruptedException {
        if (!first.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no message on the stream within 10 s");
        }
        return this;
    }

    /** The status the stream ended with; completes when it ends. */
    public CompletableFuture<Status> closed() {
        return closed;
    }

}
