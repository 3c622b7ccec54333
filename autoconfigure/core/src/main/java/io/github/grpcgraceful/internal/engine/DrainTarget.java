package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;

import io.grpc.ServerServiceDefinition;

/**
 * What the drain acts on, and all that differs between gRPC servers of the application's
 * own and gRPC served by the servlet container: how new calls stop coming, how to wait
 * for the end, and how to force it. Spring-free.
 */
public interface DrainTarget {

    /** Whether a drain now would have anything to drain. */
    boolean hasAnythingToDrain();

    /** The services served now, for health and the meters. */
    List<ServerServiceDefinition> services();

    /** What the drain's summary calls it: "gRPC server", "2 gRPC servers", … */
    String describe();

    /**
     * Stops taking new calls (the calls in flight go on), and returns what the log says
     * of it.
     */
    String stopAccepting();

    /**
     * Waits until it has terminated, at most {@code timeout}; returns whether it has.
     * @param timeout how long to wait at most
     * @return whether it has terminated
     * @throws InterruptedException if the thread is interrupted
     */
    boolean awaitTerminated(Duration timeout) throws InterruptedException;

    /** Stops at once what still runs, and waits a bounded time for it. */
    void forceStop();

    /**
     * The drain is over: waits a bounded time for what it started to return, and forgets
     * what it drained, so that a start after this (a lifecycle restart) brings new
     * servers.
     */
    void drained();

}
