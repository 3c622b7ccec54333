package com.example.consumer;

import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/** Calls consumer.Sleep/Sleep on 127.0.0.1:{port} for {millis}; prints the reply, or the status and exits 1. */
public final class SleepClient {

    public static void main(String[] args) throws InterruptedException {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", Integer.parseInt(args[0]),
                InsecureChannelCredentials.create()).build();
        try {
            System.out.println(ClientCalls.blockingUnaryCall(channel, SleepService.SLEEP,
                    CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), args[1]));
        } catch (StatusRuntimeException e) {
            System.out.println("failed: " + e.getStatus());
            System.exit(1);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
