package io.github.grpcgraceful.internal.drain;

import java.time.Duration;
import java.util.Optional;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.engine.Durations;

/**
 * What a drain may take ({@code drain-delay + grace-period}) next to Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, which users often take for the
 * bound of the whole shutdown. The drain runs in a phase of its own, synchronously, so
 * that timeout does not cut it: the shutdown then lasts longer than the timeout says, and
 * the platform's own limit (Kubernetes' {@code terminationGracePeriodSeconds}) must cover
 * it.
 */
final class ShutdownBudget {

    static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

    /** Spring Boot's default for {@value #PHASE_TIMEOUT}. */
    static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    private ShutdownBudget() {
    }

    /** The phase timeout the application sets, or Spring Boot's default. */
    static Duration phaseTimeout(Environment environment) {
        return Binder.get(environment).bind(PHASE_TIMEOUT, Duration.class).orElse(DEFAULT_PHASE_TIMEOUT);
    }

    /**
     * A warning if the drain may take longer than {@code phaseTimeout}; empty if it fits.
     */
    static Optional<String> overrun(DrainPolicy policy, Duration phaseTimeout) {
        Duration budget = Durations.saturated(policy.drainDelay().plus(policy.gracePeriod()));
        if (budget.compareTo(phaseTimeout) <= 0) {
            return Optional.empty();
        }
        return Optional.of("grpc.shutdown.drain-delay + grpc.shutdown.grace-period (" + Durations.describe(budget)
                + ") exceed " + PHASE_TIMEOUT + " (" + Durations.describe(phaseTimeout) + "). The drain still takes "
                + "its full time (it runs before the web server's graceful shutdown, and that timeout does not cut it), "
                + "so a shutdown can last longer than " + Durations.describe(phaseTimeout) + ": give the platform's "
                + "limit (Kubernetes' terminationGracePeriodSeconds) at least " + Durations.describe(budget)
                + " plus the web server's shutdown, or shorten the drain");
    }

}
