package io.github.grpcgraceful.boot4.servlet;

import io.github.grpcgraceful.contract.LifecycleRestartContract;
import io.github.grpcgraceful.testing.GrpcApp;

class ServletLifecycleRestartTest extends LifecycleRestartContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return ServletGrpcApp.start(properties);
    }
}
