package io.github.grpcgraceful.netdevh;

import io.github.grpcgraceful.contract.LongLivedStreamsContract;
import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.TestGrpcApp;

class NetDevhLongLivedStreamsTest extends LongLivedStreamsContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? TestGrpcApp.startWeb(properties) : TestGrpcApp.start(properties);
    }

}
