package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.UserCodeContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhUserCodeTest extends UserCodeContract {

    @Override
    protected GrpcApp startWebApp(String... properties) {
        return TestGrpcApp.startWeb(properties);
    }
}
