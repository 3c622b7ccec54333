package io.github.grpcgraceful.benchmarks;

import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The smallest service there is, so that what is measured is the call, not the work:
 * {@code bench.Echo/Unary} answers its request, {@code bench.Echo/Stream} sends it back
 * as many times as it says, {@code bench.Echo/Idle} never answers (a call that stays in
 * flight).
 */
final class EchoService {

    static final MethodDescriptor<String, String> UNARY = TextMethods.method("bench.Echo", "Unary",
            MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> STREAM = TextMethods.method("bench.Echo", "Stream",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> IDLE = TextMethods.method("bench.Echo", "Idle",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    private EchoService() {
    }

    static ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder("bench.Echo")
            .addMethod(UNARY, ServerCalls.asyncUnaryCall(EchoService::unary))
            .addMethod(STREAM, ServerCalls.asyncServerStreamingCall(EchoService::stream))
            .addMethod(IDLE, ServerCalls.asyncServerStreamingCall((request, observer) -> {
            }))
            .build();
    }

    private static void unary(String request, StreamObserver<String> observer) {
        observer.onNext(request);
        observer.onCompleted();
    }

    private static void stream(String count, StreamObserver<String> observer) {
        for (int i = Integer.parseInt(count); i > 0; i--) {
            observer.onNext("m");
        }
        observer.onCompleted();
    }

}
