package io.github.grpcgraceful.internal.signal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Handlers of ours in place of those before them, by signal, and how to put those back. A
 * signal the process was started ignoring (nohup, a background job) stays ignored, and
 * one the JVM keeps for itself ({@code -Xrs}, or unknown on this platform) stays as it
 * is.
 */
final class SignalHandlers {

    private static final Logger log = LoggerFactory.getLogger(SignalHandlers.class);

    /** Ours in place, by signal; guarded by this. */
    private final Map<Signal, Replacing> installed = new LinkedHashMap<>();

    /**
     * Puts {@code handler} in place for the signal {@code name} (as {@code "TERM"});
     * {@code purpose} says, for the debug log, what it could not do otherwise.
     */
    synchronized void install(String name, Replacing handler, String purpose) {
        try {
            Signal signal = new Signal(name);
            handler.previous = Signal.handle(signal, handler);
            if (handler.previous == SignalHandler.SIG_IGN) {
                Signal.handle(signal, handler.previous);
                return;
            }
            installed.put(signal, handler);
        }
        catch (IllegalArgumentException ex) {
            log.debug("SIG{} cannot {}: {}", name, purpose, ex.getMessage());
        }
    }

    /** Whether one of ours is in place for {@code name}, as {@code "TERM"}. */
    synchronized boolean handles(String name) {
        return installed.keySet().stream().anyMatch((signal) -> signal.getName().equals(name));
    }

    /**
     * Puts back the handlers ours replaced, unless another's replaced ours since: that
     * one stays, and hands on to ours as it would have.
     */
    synchronized void restore() {
        installed.forEach((signal, handler) -> {
            SignalHandler current = Signal.handle(signal, handler.previous);
            if (current != handler) {
                Signal.handle(signal, current);
            }
        });
        installed.clear();
    }

    /** A handler that knows the one it replaced. */
    abstract static class Replacing implements SignalHandler {

        /** Set once, as this is put in place. */
        volatile SignalHandler previous;

    }

}
