package io.github.grpcgraceful.internal.signal;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import io.github.grpcgraceful.api.DrainOutcome;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;

/**
 * A second SIGTERM or SIGINT while the JVM shuts down and the drain runs forces the drain
 * to its end: the operator who pressed Ctrl-C twice, or an orchestrator that signals
 * again, gets a prompt exit and a log that names what was stuck, instead of a JVM that
 * ignores every exit request while its shutdown hooks run. Its handlers are in place from
 * the drain's start to its end, and only when the JVM is shutting down: a drain of a
 * stopped or closed context leaves the signals to the JVM. Where the JVM does not let an
 * application handle a signal ({@code -Xrs}, or a platform without it), nothing changes.
 * Spring-free; it uses the JDK's {@code sun.misc.Signal}, which the JDK keeps supported
 * for exactly this (JEP 260).
 */
public final class SecondSignalForcesDrain implements DrainParticipant {

    private static final Logger log = LoggerFactory.getLogger(SecondSignalForcesDrain.class);

    /** The exit requests a terminal or an orchestrator sends. */
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    /** Forces the drain, given why; answers whether it did. */
    private final Predicate<String> force;

    /** Whether a second signal forces; read when each drain starts. */
    private final BooleanSupplier enabled;

    /** Whether the JVM is shutting down; asked when each drain starts. */
    private final BooleanSupplier shuttingDown;

    /** Ours in place while a drain runs. */
    private final SignalHandlers handlers = new SignalHandlers();

    /**
     * Forces through {@code force}, given the reason (as in {@code "a second SIGTERM"}),
     * when {@code enabled} says so as a drain starts.
     */
    public SecondSignalForcesDrain(Predicate<String> force, BooleanSupplier enabled) {
        this(force, enabled, SecondSignalForcesDrain::jvmShuttingDown);
    }

    /** As above, with {@code shuttingDown} saying whether the JVM is shutting down. */
    SecondSignalForcesDrain(Predicate<String> force, BooleanSupplier enabled, BooleanSupplier shuttingDown) {
        this.force = force;
        this.enabled = enabled;
        this.shuttingDown = shuttingDown;
    }

    @Override
    public void drainStarted(DrainStart start) {
        if (!enabled.getAsBoolean() || !shuttingDown.getAsBoolean()) {
            return;
        }
        for (String name : SIGNALS) {
            handlers.install(name, new Forcing(), "force the drain");
        }
    }

    @Override
    public void drainEnded(DrainOutcome outcome, Duration took, DrainStatus status) {
        handlers.restore();
    }

    @Override
    public void servingResumed(DrainStatus endedDrain) {
        handlers.restore();
    }

    /** Whether a handler of ours is in place for {@code name}, as {@code "TERM"}. */
    boolean handles(String name) {
        return handlers.handles(name);
    }

    /**
     * Whether the JVM runs its shutdown hooks: then it takes no more hooks, and a signal
     * would otherwise do nothing.
     */
    static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> {
        }, "grpc-drain-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        }
        catch (IllegalStateException ex) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    @Override
    public String toString() {
        return "the second-signal handler";
    }

    /**
     * Forces the drain on a signal, then hands the signal on to the handler it replaced
     * if that is another drain's: the JVM's own would only wait for the shutdown.
     */
    private final class Forcing extends SignalHandlers.Replacing {

        @Override
        public void handle(Signal signal) {
            String reason = "a second SIG" + signal.getName();
            if (!force.test(reason)) {
                log.info("{} came while the drain was already ending its calls", reason);
            }
            if (previous instanceof Forcing other) {
                other.handle(signal);
            }
        }

    }

}
