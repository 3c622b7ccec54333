package io.github.grpcgraceful.boot4.servlet;

import io.github.grpcgraceful.contract.ObservabilityContract;
import io.github.grpcgraceful.testing.GrpcApp;

class ServletObservabilityTest extends ObservabilityContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return ServletGrpcApp.start(properties);
    }
}
