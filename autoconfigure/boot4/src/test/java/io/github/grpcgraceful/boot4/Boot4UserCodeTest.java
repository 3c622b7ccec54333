package io.github.grpcgraceful.boot4;

import io.github.grpcgraceful.contract.UserCodeContract;
import io.github.grpcgraceful.testing.GrpcApp;

class Boot4UserCodeTest extends UserCodeContract {

    @Override
    protected GrpcApp startWebApp(String... properties) {
        return Boot4GrpcApp.startWeb(properties);
    }
}
