package io.github.grpcgraceful.boot4;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * For gRPC on Tomcat: a call closed before its headers went out gets empty headers first,
 * then its status in the trailers. A status alone ("trailers-only") comes out of Tomcat
 * as headers and then an empty end-of-stream frame, which gRPC clients reject as
 * {@code INTERNAL: Received unexpected EOS on empty DATA frame from server}, whatever the
 * status was (grpc-java issue 10124): the drain's {@code UNAVAILABLE} and a handler's
 * {@code INVALID_ARGUMENT} alike. Installed outside the in-flight tracker, whose call
 * wrapper serializes every write, so this one needs no lock of its own. Statuses that the
 * transport itself produces (a deadline) do not pass through interceptors and stay
 * affected.
 */
final class HeadersBeforeStatus implements ServerInterceptor {

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(new HeadersFirstCall<>(call), headers);
    }

    private static final class HeadersFirstCall<ReqT, RespT>
            extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

        /**
         * Written and read only within the tracker's serialized writes (and the tracker's
         * refusal, before those).
         */
        private boolean headersSent;

        HeadersFirstCall(ServerCall<ReqT, RespT> delegate) {
            super(delegate);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            headersSent = true;
            super.sendHeaders(headers);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!headersSent) {
                headersSent = true;
                super.sendHeaders(new Metadata());
            }
            super.close(status, trailers);
        }

    }

}
