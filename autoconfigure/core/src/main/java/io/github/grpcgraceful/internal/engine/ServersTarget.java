package io.github.grpcgraceful.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;

/**
 * gRPC servers of the application's own (Netty, in-process): stopping them closes their
 * listeners (GOAWAY), and each backend's own stop of its server runs then, on a thread of
 * its own, so that the backend still publishes its shutdown events and logs in their
 * usual order.
 */
public final class ServersTarget implements DrainTarget {

    private static final Logger log = LoggerFactory.getLogger(ServersTarget.class);

    /**
     * How long to wait for the servers (and their backends' stops) to terminate after
     * {@code shutdownNow()}.
     */
    private static final Duration TERMINATION_WAIT = Duration.ofSeconds(5);

    private final List<DrainedServer> servers = new CopyOnWriteArrayList<>();

    /** The backends' stops started by {@link #stopAccepting()}; guarded by itself. */
    private final List<Thread> backendStops = new ArrayList<>();

    /** Adds a started server, and the backend's own stop of it, or {@code null}. */
    public void register(Server server, Runnable backendStop) {
        servers.add(new DrainedServer(server, backendStop));
    }

    /** The servers the next drain drains, in the order they started. */
    public List<Server> servers() {
        return servers.stream().map(DrainedServer::server).toList();
    }

    @Override
    public boolean hasAnythingToDrain() {
        return !servers.isEmpty();
    }

    @Override
    public List<ServerServiceDefinition> services() {
        return servers.stream().flatMap(drained -> drained.server().getServices().stream()).toList();
    }

    @Override
    public String describe() {
        return (servers.size() > 1) ? servers.size() + " gRPC servers" : "gRPC server";
    }

    /**
     * Starts each backend's own stop, on a thread of its own, and closes every listener
     * at once; the backend's {@code shutdown()} is then a no-op.
     */
    @Override
    public String stopAccepting() {
        synchronized (backendStops) {
            for (DrainedServer drained : servers) {
                if (drained.backendStop() != null) {
                    Thread stop = new Thread(() -> runQuietly(drained.backendStop()),
                            "grpc-drain-stop-" + backendStops.size());
                    stop.setDaemon(true);
                    stop.start();
                    backendStops.add(stop);
                }
                drained.server().shutdown();
            }
        }
        return "gRPC listener closed";
    }

    @Override
    public boolean awaitTerminated(Duration timeout) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        for (DrainedServer drained : servers) {
            long left = Math.max(0, deadlineNanos - System.nanoTime());
            if (!drained.server().awaitTermination(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void forceStop() {
        servers.forEach(drained -> drained.server().shutdownNow());
        boolean terminated;
        try {
            terminated = awaitTerminated(TERMINATION_WAIT);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            terminated = false;
        }
        if (!terminated) {
            log.warn("gRPC servers did not terminate within {} after shutdownNow()",
                    Durations.describe(TERMINATION_WAIT));
        }
    }

    @Override
    public void drained() {
        long deadlineNanos = System.nanoTime() + TERMINATION_WAIT.toNanos();
        List<Thread> stops;
        synchronized (backendStops) {
            stops = List.copyOf(backendStops);
            backendStops.clear();
        }
        try {
            for (Thread stop : stops) {
                stop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
                if (stop.isAlive()) {
                    log.warn("The gRPC backend's own stop has not returned within {} of the servers' termination",
                            Durations.describe(TERMINATION_WAIT));
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            servers.clear();
        }
    }

    private static void runQuietly(Runnable backendStop) {
        try {
            backendStop.run();
        }
        catch (RuntimeException | Error ex) {
            log.warn("The gRPC backend's own server stop failed", ex);
        }
    }

    /** A server to drain and its backend's own stop, or {@code null}. */
    private record DrainedServer(Server server, Runnable backendStop) {
    }

}
