package io.github.grpcgraceful.testing;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Rejects calls that carry the {@link #REJECT} header, as an authentication interceptor
 * would; each backend's test app installs it the backend's own way, as a global
 * interceptor after the tracker.
 */
public class RejectingInterceptor implements ServerInterceptor {

    public static final Metadata.Key<String> REJECT = Metadata.Key.of("x-reject", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (headers.containsKey(REJECT)) {
            call.close(Status.PERMISSION_DENIED.withDescription("rejected by interceptor"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }

}
