package com.example.consumer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;

/** One unary method, consumer.Sleep/Sleep: waits the requested milliseconds, then replies. No generated code. */
public class SleepService implements BindableService {

    public static final MethodDescriptor<String, String> SLEEP = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("consumer.Sleep/Sleep")
            .setRequestMarshaller(new Text())
            .setResponseMarshaller(new Text())
            .build();

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder("consumer.Sleep")
                .addMethod(SLEEP, ServerCalls.asyncUnaryCall((request, reply) -> {
                    System.out.println("Received: sleep " + request);
                    try {
                        Thread.sleep(Long.parseLong(request));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    reply.onNext("slept " + request);
                    reply.onCompleted();
                }))
                .build();
    }

    /** Strings as UTF-8. */
    static final class Text implements MethodDescriptor.Marshaller<String> {

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
