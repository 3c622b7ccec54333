package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.InFlightCallsContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhInFlightCallsTest extends InFlightCallsContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? TestGrpcApp.startWeb(properties) : TestGrpcApp.start(properties);
    }

}
