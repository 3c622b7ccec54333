package io.github.grpcgraceful.boot4;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.AccessLog;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import io.github.grpcgraceful.internal.engine.ContainerExchanges;

/**
 * Tells the drain when Tomcat starts a gRPC exchange and when it has written its response
 * to the end. Tomcat logs an exchange's access only after it has finished the response,
 * which for a gRPC call (asynchronous, on grpc-servlet) comes after the handler's close
 * and after the async listeners: the last moment the container itself reports.
 */
final class TomcatExchangeValve extends ValveBase implements AccessLog {

    /** Marks an exchange counted as started, so that it is counted as finished once. */
    private static final String STARTED = TomcatExchangeValve.class.getName() + ".started";

    private final ContainerExchanges exchanges;

    TomcatExchangeValve(ContainerExchanges exchanges) {
        super(true);
        this.exchanges = exchanges;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.getNote(STARTED) == null && isGrpc(request)) {
            request.setNote(STARTED, Boolean.TRUE);
            this.exchanges.started();
        }
        getNext().invoke(request, response);
    }

    @Override
    public void log(Request request, Response response, long time) {
        if (request.getNote(STARTED) != null) {
            request.removeNote(STARTED);
            this.exchanges.finished();
        }
    }

    private static boolean isGrpc(Request request) {
        String type = request.getContentType();
        return type != null && type.startsWith("application/grpc");
    }

    @Override
    public void setRequestAttributesEnabled(boolean requestAttributesEnabled) {
    }

    @Override
    public boolean getRequestAttributesEnabled() {
        return false;
    }

}
