package io.github.grpcgraceful.sample.greeter;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample Greeter.
 *
 * @param maxDuration the longest wait a {@code SayHello} call may ask for; longer ones
 * are rejected with INVALID_ARGUMENT
 */
@ConfigurationProperties(prefix = "sample.greeter")
public record GreeterProperties(Duration maxDuration) {

    public GreeterProperties {
        if (maxDuration == null) {
            maxDuration = Duration.ofMinutes(10);
        }
    }
}
