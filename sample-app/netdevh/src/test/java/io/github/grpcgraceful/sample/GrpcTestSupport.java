package io.github.grpcgraceful.sample;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.event.EventListener;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import net.devh.boot.grpc.server.event.GrpcServerStartedEvent;

/**
 * Remembers the port the sample's gRPC server got (tests run it on a free loopback port).
 */
@TestConfiguration(proxyBeanMethods = false)
public class GrpcTestSupport {

    private volatile int port;

    @EventListener
    void onStarted(GrpcServerStartedEvent event) {
        port = event.getServer().getPort();
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public ManagedChannel newChannel() {
        return Grpc.newChannelBuilder(address(), InsecureChannelCredentials.create()).build();
    }

}
