package io.github.grpcgraceful.internal.inflight;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The threads running a handler's code right now, found by their stacks: every callback
 * of a tracked call passes through {@link TrackedCall}, so a thread with one of its
 * frames is inside a handler. Costs the calls nothing; read only when a stop is forced,
 * to say where the handlers that ignore cancellation are stuck.
 */
public final class HandlerThreads {

    private static final String TRACKED_CALL = TrackedCall.class.getName();

    private HandlerThreads() {
    }

    /** Each thread inside a handler now, but the caller's, with its stack. */
    public static Map<Thread, StackTraceElement[]> atWork() {
        Map<Thread, StackTraceElement[]> atWork = new LinkedHashMap<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread != Thread.currentThread() && inHandler(stack)) {
                atWork.put(thread, stack);
            }
        });
        return atWork;
    }

    /**
     * Whether {@code stack} runs a handler: it passed through a tracked call's start or
     * listener (the drain's own calls into a tracked call, such as ending it, do not).
     */
    static boolean inHandler(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (type.startsWith(TRACKED_CALL)
                    && (type.length() > TRACKED_CALL.length() || frame.getMethodName().equals("start"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code stack} as a log shows an exception's, a frame a line. */
    public static String describe(Thread thread, StackTraceElement[] stack) {
        StringBuilder text = new StringBuilder("\"").append(thread.getName()).append("\" ").append(thread.getState());
        for (StackTraceElement frame : stack) {
            text.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return text.toString();
    }

}
