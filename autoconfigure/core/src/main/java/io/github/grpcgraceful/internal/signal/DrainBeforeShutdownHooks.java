package io.github.grpcgraceful.internal.signal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * With {@code grpc.shutdown.drain-before-shutdown-hooks}: a SIGTERM or SIGINT drains
 * first, and only then lets the JVM shut down. Without it the drain runs in Spring's
 * shutdown hook, beside the JVM's other hooks, and those do not wait for it: Flight
 * Recorder's ends every recording as the shutdown begins, so a recording dumped at exit
 * has none of the drain; a logging or telemetry library's hook may stop its output while
 * calls still drain. The process still exits with the JVM's status for the signal (143,
 * 130), and the context closes afterwards as usual, finding the drain over. A second
 * signal while it drains forces the drain, as during the JVM's shutdown
 * ({@code grpc.shutdown.force-on-second-signal}). The handlers are in place from
 * {@link #install()} to {@link #close()}; where the JVM does not let an application
 * handle a signal ({@code -Xrs}, or a platform without it), nothing changes. Spring-free;
 * {@code sun.misc.Signal}, as {@link SecondSignalForcesDrain}.
 */
public final class DrainBeforeShutdownHooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DrainBeforeShutdownHooks.class);

    /** The exit requests a terminal or an orchestrator sends. */
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    /** Drains as a close of the context does, drain-delay included; returns when over. */
    private final Runnable drain;

    /** Forces the drain under way, given why; answers whether it did. */
    private final Predicate<String> force;

    /** Whether a second signal forces; read when it comes. */
    private final BooleanSupplier forceOnSecondSignal;

    /** Hands a signal on to the handler ours replaced, once the drain is over. */
    private final HandOn handOn;

    /** Whether a signal started the drain: any later one is a second. */
    private final AtomicBoolean signalled = new AtomicBoolean();

    /** Ours in place, from {@link #install()} to {@link #close()}. */
    private final SignalHandlers handlers = new SignalHandlers();

    /**
     * Drains through {@code drain} on a signal, then hands the signal on to the JVM;
     * forces through {@code force} on a second one, when {@code forceOnSecondSignal} says
     * so.
     */
    public DrainBeforeShutdownHooks(Runnable drain, Predicate<String> force, BooleanSupplier forceOnSecondSignal) {
        this(drain, force, forceOnSecondSignal, DrainBeforeShutdownHooks::handOnToPrevious);
    }

    /** As above, with {@code handOn} standing in for the JVM's shutdown. */
    DrainBeforeShutdownHooks(Runnable drain, Predicate<String> force, BooleanSupplier forceOnSecondSignal,
            HandOn handOn) {
        this.drain = drain;
        this.force = force;
        this.forceOnSecondSignal = forceOnSecondSignal;
        this.handOn = handOn;
    }

    /** Puts our handlers in place of the JVM's for SIGTERM and SIGINT. */
    public void install() {
        for (String name : SIGNALS) {
            handlers.install(name, new DrainFirst(), "drain before the JVM's shutdown hooks");
        }
    }

    /** Whether a handler of ours is in place for {@code name}, as {@code "TERM"}. */
    public boolean handles(String name) {
        return handlers.handles(name);
    }

    /** Puts back the handlers ours replaced, unless another's replaced ours since. */
    @Override
    public void close() {
        handlers.restore();
    }

    private void drainThenHandOn(Signal signal, SignalHandler previous) {
        log.info("SIG{} received: draining gRPC before the JVM shuts down", signal.getName());
        try {
            drain.run();
        }
        catch (RuntimeException | Error ex) {
            // The signal is still handed on: the process must end whatever the drain met.
            log.error("The gRPC drain before the JVM's shutdown failed; shutting down", ex);
        }
        handOn.handOn(signal, previous);
    }

    private void secondSignal(Signal signal) {
        String reason = "a second SIG" + signal.getName();
        if (!forceOnSecondSignal.getAsBoolean()) {
            log.info("{} ignored while the drain runs (grpc.shutdown.force-on-second-signal is false)", reason);
        }
        else if (!force.test(reason)) {
            log.info("{} came while the drain was already ending its calls", reason);
        }
    }

    /**
     * The JVM's own handler exits with its status for the signal; a native default one
     * cannot be called from Java, so its exit is made the same way.
     */
    private static void handOnToPrevious(Signal signal, SignalHandler previous) {
        if (previous != null && previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN) {
            previous.handle(signal);
        }
        else {
            System.exit(128 + signal.getNumber());
        }
    }

    /** How a signal goes on to the JVM once the drain is over. */
    @FunctionalInterface
    interface HandOn {

        void handOn(Signal signal, SignalHandler previous);

    }

    /**
     * The first signal drains, then goes on to the handler it replaced; any later one is
     * a second signal. The JVM runs each signal's handler on a thread of its own, so the
     * drain may block here.
     */
    private final class DrainFirst extends SignalHandlers.Replacing {

        @Override
        public void handle(Signal signal) {
            if (signalled.compareAndSet(false, true)) {
                drainThenHandOn(signal, previous);
            }
            else {
                secondSignal(signal);
            }
        }

    }

}
