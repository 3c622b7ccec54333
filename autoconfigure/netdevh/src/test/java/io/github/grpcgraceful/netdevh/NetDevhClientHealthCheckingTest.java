package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.ClientHealthCheckingContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhClientHealthCheckingTest extends ClientHealthCheckingContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? TestGrpcApp.startWeb(properties) : TestGrpcApp.start(properties);
    }

}
