package io.github.grpcgraceful.contract;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;

import io.github.grpcgraceful.api.GrpcDrainCompletedEvent;
import io.github.grpcgraceful.api.GrpcDrainStartedEvent;
import io.github.grpcgraceful.testing.GrpcApp;

/**
 * The base of the engine's tests that every backend runs: a backend's module extends a
 * contract and says how to start its app; the contract's tests then run against that
 * backend's real server.
 */
public abstract class GrpcAppContract {

    /**
     * For tests whose handler throws on purpose: some stacks' gRPC executors log what a
     * handler threw as an ERROR with its stack trace, which a passing build should not
     * print.
     */
    protected static final String QUIET_HANDLER_FAILURES = "logging.level.io.grpc.internal.SerializingExecutor=off";

    /**
     * With Actuator over HTTP: health with details, probes, and the starter's endpoint.
     */
    protected static final String[] ACTUATOR = { "management.endpoints.web.exposure.include=health,grpcshutdown",
            "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true" };

    private final List<GrpcApp> apps = new ArrayList<>();

    /**
     * Starts this backend's app on a free loopback port, with a web server (Tomcat and
     * Actuator) if {@code web}.
     */
    protected abstract GrpcApp startApp(boolean web, String... properties);

    /**
     * What the backend logs once when its own stop of the server has run within the
     * drain, or {@code null} where no gRPC server of the backend's own is stopped (gRPC
     * served by the servlet container).
     */
    protected String backendStopLogged() {
        return "Completed gRPC server shutdown";
    }

    /** Starts the app without a web server; closed after the test. */
    protected GrpcApp start(String... properties) {
        GrpcApp app = startApp(false, properties);
        apps.add(app);
        return app;
    }

    /** Starts the app with Actuator over HTTP; closed after the test. */
    protected GrpcApp startWeb(String... properties) {
        List<String> all = new ArrayList<>(List.of(ACTUATOR));
        all.addAll(List.of(properties));
        GrpcApp app = startApp(true, all.toArray(String[]::new));
        apps.add(app);
        return app;
    }

    @AfterEach
    void closeApps() {
        apps.forEach(GrpcApp::closeAfterTest);
    }

    protected static List<GrpcDrainStartedEvent> drainsStarted(GrpcApp app) {
        return app.drainEvents()
            .stream()
            .filter(GrpcDrainStartedEvent.class::isInstance)
            .map(GrpcDrainStartedEvent.class::cast)
            .toList();
    }

    protected static List<GrpcDrainCompletedEvent> drainsCompleted(GrpcApp app) {
        return app.drainEvents()
            .stream()
            .filter(GrpcDrainCompletedEvent.class::isInstance)
            .map(GrpcDrainCompletedEvent.class::cast)
            .toList();
    }

    protected static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

}
