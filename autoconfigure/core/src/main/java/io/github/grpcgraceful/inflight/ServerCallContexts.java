package io.github.grpcgraceful.inflight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Context;

/**
 * Finds the cancellable context gRPC's server made for a call, so that the drain can cancel the very context the
 * handler runs in instead of giving every call a context of its own (a context of our own costs two objects and an
 * attach and a detach on every listener callback; the server's is there anyway).
 *
 * <p>gRPC hands handlers only an uncancellable view of that context; the view keeps its cancellable ancestor in a
 * package-private field, read here once per call. Should a gRPC version rename that field, {@link #available()}
 * turns false, the tracker gives each call a cancellable context of its own as before, and one warning says so: the
 * guarantees stay, only the cost grows.
 */
final class ServerCallContexts {

    private static final Logger log = LoggerFactory.getLogger(ServerCallContexts.class);
    private static final VarHandle CANCELLABLE_ANCESTOR = cancellableAncestorField();

    private ServerCallContexts() {
    }

    /** Whether gRPC's contexts can be read here; when not, every tracked call has a context of its own. */
    static boolean available() {
        return CANCELLABLE_ANCESTOR != null;
    }

    /**
     * The outermost cancellable context that {@code context} cascades from: inside a server call, the one the server
     * made for the call (it derives from a server-wide context that nothing cancels) and cancels when the call ends.
     * {@code null} if there is none, or if it cannot be read.
     */
    static Context.CancellableContext outermostCancellable(Context context) {
        if (CANCELLABLE_ANCESTOR == null) {
            return null;
        }
        Context.CancellableContext outermost = null;
        for (Context.CancellableContext ancestor = cancellableAncestor(context); ancestor != null;
                ancestor = cancellableAncestor(ancestor)) {
            outermost = ancestor;
        }
        return outermost;
    }

    private static Context.CancellableContext cancellableAncestor(Context context) {
        return (Context.CancellableContext) CANCELLABLE_ANCESTOR.get(context);
    }

    private static VarHandle cancellableAncestorField() {
        try {
            return MethodHandles.privateLookupIn(Context.class, MethodHandles.lookup())
                    .findVarHandle(Context.class, "cancellableAncestor", Context.CancellableContext.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("This gRPC version's Context cannot be read ({}): every tracked call gets a cancellable context "
                    + "of its own, which costs about 50 ns more per call", e.toString());
            return null;
        }
    }
}
