package io.github.grpcgraceful.api;

/**
 * Where the gRPC server is in its shutdown. It moves forward through a drain, and back to
 * {@link #SERVING} only when the context starts again after one.
 */
public enum DrainState {

    /** Serving normally; no drain has started. */
    SERVING,
    /**
     * The drain has started (health is out of service) and the server still serves during
     * the drain-delay.
     */
    DELAYING,
    /**
     * The listeners are closed and GOAWAY sent; in-flight calls are finishing within the
     * grace period.
     */
    DRAINING,
    /** The drain is over; the servers have stopped. */
    TERMINATED

}
