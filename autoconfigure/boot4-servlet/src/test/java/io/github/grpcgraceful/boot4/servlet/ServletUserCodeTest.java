package io.github.grpcgraceful.boot4.servlet;

import io.github.grpcgraceful.contract.UserCodeContract;
import io.github.grpcgraceful.boot4.Boot4GrpcApp;
import io.github.grpcgraceful.testing.GrpcApp;

class ServletUserCodeTest extends UserCodeContract {

    @Override
    protected GrpcApp startApp(boolean web, String... properties) {
        return Boot4GrpcApp.startServlet(properties);
    }

    /**
     * No gRPC server of Spring Boot's own: Tomcat serves the calls, and its graceful
     * shutdown comes after the drain.
     */
    @Override
    protected String backendStopLogged() {
        return null;
    }

}
