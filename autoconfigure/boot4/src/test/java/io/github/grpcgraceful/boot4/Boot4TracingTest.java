package io.github.grpcgraceful.boot4;

import java.util.List;

import io.github.grpcgraceful.contract.TracingContract;
import io.github.grpcgraceful.testing.GrpcApp;

class Boot4TracingTest extends TracingContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? Boot4GrpcApp.startWeb(properties) : Boot4GrpcApp.start(properties);
    }

    @Override
    protected List<String> tracingTo(String url) {
        return List.of("management.opentelemetry.tracing.export.otlp.endpoint=" + url);
    }

}
