package io.github.grpcgraceful.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * A client's view of one call: hand it to an async stub as the response observer, and it
 * keeps the messages the call got and the status it ended with, for
 * {@link GrpcDrainAssertions#assertThat(ObservedCall)}.
 *
 * @param <T> the response type
 */
public final class ObservedCall<T> implements StreamObserver<T> {

    /** Guarded by itself. */
    private final List<T> messages = new ArrayList<>();

    private final CompletableFuture<Status> status = new CompletableFuture<>();

    @Override
    public void onNext(T message) {
        synchronized (messages) {
            messages.add(message);
        }
    }

    @Override
    public void onError(Throwable error) {
        status.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        status.complete(Status.OK);
    }

    /** The messages the call got so far. */
    public List<T> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /**
     * Waits until the call has got at least {@code count} messages, as a test does before
     * it drains a stream whose first message it checks.
     */
    public ObservedCall<T> awaitMessages(int count) {
        GrpcDrain.await(() -> messages().size() >= count, () -> "expected at least " + count
                + " messages, but the call got " + messages().size() + (isClosed() ? " and ended" : ""));
        return this;
    }

    /** Whether the call has ended, with any status. */
    public boolean isClosed() {
        return status.isDone();
    }

    /**
     * The status the call ended with, waiting for it up to the real-time bound of
     * {@link GrpcDrain}; {@code null} if it has not ended by then.
     */
    public Status awaitStatus() {
        try {
            return status.get(GrpcDrain.REAL_TIME_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            return null;
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException(ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the call's end", ex);
        }
    }

    @Override
    public String toString() {
        Status ended = status.getNow(null);
        int count = messages().size();
        String got = count + ((count == 1) ? " message" : " messages");
        if (ended == null) {
            return "a call still open, with " + got;
        }
        return "a call that ended with " + ended.getCode()
                + ((ended.getDescription() != null) ? " (\"" + ended.getDescription() + "\")" : "") + " after " + got;
    }

}
