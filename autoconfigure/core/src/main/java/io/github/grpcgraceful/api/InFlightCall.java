package io.github.grpcgraceful.api;

import java.time.Duration;

/**
 * A call that is running on the server, as seen at one moment.
 *
 * @param fullMethodName the gRPC method, e.g. {@code Greeter/SayHello}
 * @param runningFor how long the call has been running
 */
public record InFlightCall(String fullMethodName, Duration runningFor) {

    @Override
    public String toString() {
        return String.format("%s (running %.1f s)", fullMethodName, runningFor.toNanos() / 1e9);
    }
}
