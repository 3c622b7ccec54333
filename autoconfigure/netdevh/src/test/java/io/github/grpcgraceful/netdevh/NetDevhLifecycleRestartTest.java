package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.LifecycleRestartContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhLifecycleRestartTest extends LifecycleRestartContract {

    @Override
    protected GrpcApp startWebApp(String... properties) {
        return TestGrpcApp.startWeb(properties);
    }
}
