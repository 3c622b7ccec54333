package io.github.grpcgraceful.boot4;

import io.github.grpcgraceful.contract.LifecycleRestartContract;
import io.github.grpcgraceful.testing.GrpcApp;

class Boot4LifecycleRestartTest extends LifecycleRestartContract {

    @Override
    protected GrpcApp startWebApp(String... properties) {
        return Boot4GrpcApp.startWeb(properties);
    }
}
