package io.github.grpcgraceful.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.grpc.MethodDescriptor;

/**
 * gRPC methods whose messages are plain UTF-8 text, so that test and benchmark services
 * need no generated code.
 */
public final class TextMethods {

    private TextMethods() {
    }

    public static MethodDescriptor<String, String> method(String service, String name,
            MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
            .setType(type)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
            .setRequestMarshaller(Utf8Marshaller.INSTANCE)
            .setResponseMarshaller(Utf8Marshaller.INSTANCE)
            .build();
    }

    private enum Utf8Marshaller implements MethodDescriptor.Marshaller<String> {

        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

    }

}
