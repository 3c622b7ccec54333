package io.github.grpcgraceful.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The apps a test started, all closed with it: declare as an {@code @AutoClose} field.
 */
public final class TestGrpcApps implements AutoCloseable {

    private final List<TestGrpcApp> apps = new ArrayList<>();

    /** Starts an app without a web server; see {@link TestGrpcApp#start(String...)}. */
    public TestGrpcApp start(String... properties) {
        TestGrpcApp app = TestGrpcApp.start(properties);
        apps.add(app);
        return app;
    }

    @Override
    public void close() {
        apps.forEach(TestGrpcApp::closeAfterTest);
    }

}
