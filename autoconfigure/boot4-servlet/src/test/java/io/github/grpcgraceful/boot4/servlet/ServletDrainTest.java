package io.github.grpcgraceful.boot4.servlet;

import io.github.grpcgraceful.contract.DrainContract;
import io.github.grpcgraceful.testing.GrpcApp;

class ServletDrainTest extends DrainContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return ServletGrpcApp.start(properties);
    }
}
