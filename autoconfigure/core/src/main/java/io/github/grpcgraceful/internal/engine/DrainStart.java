package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.List;

import io.grpc.ServerServiceDefinition;

/**
 * A drain as it starts, for its participants.
 *
 * @param inFlight the calls in flight
 * @param delay how long the server still serves (zero when the context only stops)
 * @param gracePeriod how long calls may run on once the server stops accepting
 * @param services the services being drained
 */
public record DrainStart(int inFlight, Duration delay, Duration gracePeriod, List<ServerServiceDefinition> services) {
}
