package io.github.grpcgraceful.internal.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

import io.github.grpcgraceful.internal.engine.DrainPolicy;
import io.github.grpcgraceful.internal.engine.Durations;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;

/** Settings of the graceful gRPC shutdown, under {@code grpc.shutdown}. */
@ConfigurationProperties(prefix = GrpcShutdownProperties.PREFIX)
public class GrpcShutdownProperties {

    public static final String PREFIX = "grpc.shutdown";

    /**
     * Whether to drain the gRPC server gracefully when the application shuts down. With
     * false, the gRPC backend's own shutdown (net.devh's or Spring Boot's) applies
     * unchanged.
     */
    private boolean enabled = true;

    /**
     * How long in-flight calls may run on after the server stops accepting new ones.
     * Calls still running then are ended with UNAVAILABLE, which clients may retry. 0
     * ends them at once. A number without a unit means seconds; anything over about 73
     * years means forever.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration gracePeriod = Duration.ofSeconds(30);

    /**
     * Time between the start of the drain (health out of service) and the closing of the
     * listener, during which the server still serves normally, so that load balancers and
     * Kubernetes endpoints move traffic away first. A number without a unit means
     * seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration drainDelay = Duration.ZERO;

    /**
     * Full method names of long-lived streams, which the drain releases with a retryable
     * UNAVAILABLE as soon as the listener closes instead of waiting for them, so that
     * their clients reconnect to another replica at once. '*' stands for any characters,
     * as in 'chat.Chat/*'. The default names the health Watch and reflection streams; an
     * empty list waits for every call.
     */
    private List<String> longLivedMethods = MethodPatterns.STANDARD_LONG_LIVED;

    /**
     * Turns the drain-delay into a maximum that ends on evidence: as soon as every health
     * prober seen shortly before the drain (HTTP callers of Actuator health or readiness,
     * gRPC health Check callers) has been answered out of service, and no new call
     * (health checks and long-lived streams aside) has arrived for this long. Unset, the
     * drain-delay always runs its full length. A number without a unit means seconds.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration quietPeriod;

    /**
     * Whether a second SIGTERM or SIGINT during the drain (as when Ctrl-C is pressed
     * again) forces the stop: what still runs ends at once with UNAVAILABLE, the log
     * names each call that was stuck and where its handler is, and the process exits.
     * With false, the JVM ignores further signals while the drain runs, as it does
     * without this starter.
     */
    private boolean forceOnSecondSignal = true;

    /**
     * Whether a SIGTERM or SIGINT drains before the JVM starts its shutdown hooks rather
     * than in Spring's, beside them: then Flight Recorder's hook, which ends every
     * recording as the shutdown begins, and logging or telemetry hooks run after the
     * drain, and a recording dumped at exit holds the whole drain. The exit status stays
     * the JVM's (143 after SIGTERM, 130 after SIGINT). Read at startup.
     */
    private boolean drainBeforeShutdownHooks = false;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getGracePeriod() {
        return gracePeriod;
    }

    public void setGracePeriod(Duration gracePeriod) {
        this.gracePeriod = requireNonNegative("grace-period", gracePeriod);
    }

    public Duration getDrainDelay() {
        return drainDelay;
    }

    public void setDrainDelay(Duration drainDelay) {
        this.drainDelay = requireNonNegative("drain-delay", drainDelay);
    }

    public Duration getQuietPeriod() {
        return quietPeriod;
    }

    public void setQuietPeriod(Duration quietPeriod) {
        this.quietPeriod = (quietPeriod == null) ? null : requireNonNegative("quiet-period", quietPeriod);
    }

    public boolean isForceOnSecondSignal() {
        return forceOnSecondSignal;
    }

    public void setForceOnSecondSignal(boolean forceOnSecondSignal) {
        this.forceOnSecondSignal = forceOnSecondSignal;
    }

    public boolean isDrainBeforeShutdownHooks() {
        return drainBeforeShutdownHooks;
    }

    public void setDrainBeforeShutdownHooks(boolean drainBeforeShutdownHooks) {
        this.drainBeforeShutdownHooks = drainBeforeShutdownHooks;
    }

    public List<String> getLongLivedMethods() {
        return longLivedMethods;
    }

    public void setLongLivedMethods(List<String> longLivedMethods) {
        for (String pattern : longLivedMethods) {
            String problem = MethodPatterns.problemWith(pattern);
            if (problem != null) {
                throw new InvalidShutdownPropertyException(PREFIX + ".long-lived-methods", pattern, problem);
            }
        }
        this.longLivedMethods = List.copyOf(longLivedMethods);
    }

    /** These settings as the drain's policy. */
    public DrainPolicy toPolicy() {
        return new DrainPolicy(drainDelay, gracePeriod, MethodPatterns.of(longLivedMethods), quietPeriod);
    }

    private static Duration requireNonNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            String text = value == null ? "null" : "-" + Durations.describe(value.negated());
            throw new InvalidShutdownPropertyException(PREFIX + "." + name, text, "must not be negative");
        }
        return value;
    }

}
