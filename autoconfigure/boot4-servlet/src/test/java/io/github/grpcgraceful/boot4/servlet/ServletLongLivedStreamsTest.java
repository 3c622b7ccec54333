package io.github.grpcgraceful.boot4.servlet;

import io.github.grpcgraceful.contract.LongLivedStreamsContract;
import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.testing.GrpcApp;

class ServletLongLivedStreamsTest extends LongLivedStreamsContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return Boot4GrpcApp.startServlet(properties);
    }

}
