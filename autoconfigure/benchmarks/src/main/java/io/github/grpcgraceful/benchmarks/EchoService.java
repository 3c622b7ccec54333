package io.github.grpcgraceful.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The smallest service there is, so that what is measured is the call, not the work: {@code bench.Echo/Unary}
 * answers its request, {@code bench.Echo/Stream} sends it back as many times as it says, {@code bench.Echo/Idle}
 * never answers (a call that stays in flight).
 */
final class EchoService {

    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> STREAM = method("Stream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> IDLE = method("Idle", MethodDescriptor.MethodType.SERVER_STREAMING);

    private EchoService() {
    }

    static ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder("bench.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall(EchoService::unary))
                .addMethod(STREAM, ServerCalls.asyncServerStreamingCall(EchoService::stream))
                .addMethod(IDLE, ServerCalls.asyncServerStreamingCall((request, observer) -> { }))
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

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", name))
                .setRequestMarshaller(Utf8.INSTANCE)
                .setResponseMarshaller(Utf8.INSTANCE)
                .build();
    }

    private enum Utf8 implements MethodDescriptor.Marshaller<String> {
        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
