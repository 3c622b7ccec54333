package io.github.grpcgraceful.boot4;

import io.github.grpcgraceful.contract.ClientHealthCheckingContract;
import io.github.grpcgraceful.testing.GrpcApp;

class Boot4ClientHealthCheckingTest extends ClientHealthCheckingContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? Boot4GrpcApp.startWeb(properties) : Boot4GrpcApp.start(properties);
    }

}
