package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.UserCodeContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhUserCodeTest extends UserCodeContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? TestGrpcApp.startWeb(properties) : TestGrpcApp.start(properties);
    }

}
