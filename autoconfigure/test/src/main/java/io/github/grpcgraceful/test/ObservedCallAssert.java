package io.github.grpcgraceful.test;

import org.assertj.core.api.AbstractAssert;

import io.grpc.Status;

/**
 * What a client saw of one call in a drain, asserted with messages that say what it saw
 * instead.
 */
public final class ObservedCallAssert extends AbstractAssert<ObservedCallAssert, ObservedCall<?>> {

    /** How the drain describes a call it ended at the deadline. */
    private static final String DEADLINE = "server shutting down: grace period ";

    /** How the drain describes a long-lived stream it released. */
    private static final String RELEASED = "server shutting down: long-lived stream released";

    ObservedCallAssert(ObservedCall<?> call) {
        super(call, ObservedCallAssert.class);
    }

    /** The call completed by itself, with OK: the drain let it finish. */
    public ObservedCallAssert completedWithOk() {
        Status status = ended("to have completed with OK");
        if (!status.isOk()) {
            failWithMessage("Expected the call to have completed with OK, but it was %s", actual);
        }
        return this;
    }

    /**
     * The call was a long-lived stream that the drain released with a retryable
     * UNAVAILABLE when the server stopped accepting.
     */
    public ObservedCallAssert wasReleased() {
        Status status = ended("to have been released as a long-lived stream");
        if (status.getCode() != Status.Code.UNAVAILABLE || !described(status, RELEASED)) {
            failWithMessage("Expected the call to have been released as a long-lived stream (UNAVAILABLE \"%s…\"), "
                    + "but it was %s", RELEASED, actual);
        }
        return this;
    }

    /**
     * The call was still running at the deadline and the drain ended it with a retryable
     * UNAVAILABLE.
     */
    public ObservedCallAssert endedAtTheDeadline() {
        Status status = ended("to have been ended at the deadline");
        if (status.getCode() != Status.Code.UNAVAILABLE || !described(status, DEADLINE)) {
            failWithMessage("Expected the call to have been ended at the deadline (UNAVAILABLE \"%s… expired\"), "
                    + "but it was %s", DEADLINE, actual);
        }
        return this;
    }

    /** The call has not ended (yet). */
    public ObservedCallAssert isStillOpen() {
        isNotNull();
        if (actual.isClosed()) {
            failWithMessage("Expected the call to be still open, but it was %s", actual);
        }
        return this;
    }

    /** The call got exactly {@code count} messages. */
    public ObservedCallAssert hasMessageCount(int count) {
        isNotNull();
        if (actual.messages().size() != count) {
            failWithMessage("Expected the call to have got %s messages, but it was %s", count, actual);
        }
        return this;
    }

    private Status ended(String expectation) {
        isNotNull();
        Status status = actual.awaitStatus();
        if (status == null) {
            failWithMessage("Expected the call %s, but it was still open after %s s: %s", expectation,
                    GrpcDrain.REAL_TIME_BOUND.toSeconds(), actual);
        }
        return status;
    }

    private static boolean described(Status status, String prefix) {
        return status.getDescription() != null && status.getDescription().startsWith(prefix);
    }

}
