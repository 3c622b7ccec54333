package io.github.grpcgraceful.boot4;

import io.github.grpcgraceful.contract.ExactCountsContract;
import io.github.grpcgraceful.testing.GrpcApp;

class Boot4ExactCountsTest extends ExactCountsContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return web ? Boot4GrpcApp.startWeb(properties) : Boot4GrpcApp.start(properties);
    }

}
