package io.github.grpcgraceful.netdevh;

import java.util.List;

import io.github.grpcgraceful.contract.TracingContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhTracingTest extends TracingContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? TestGrpcApp.startWeb(properties) : TestGrpcApp.start(properties);
    }

    @Override
    protected List<String> tracingTo(String url) {
        return List.of("management.otlp.tracing.endpoint=" + url);
    }

}
