package io.github.grpcgraceful.testing;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;

/** Closing the test clients' channels. */
public final class Channels {

    private Channels() {
    }

    /**
     * Shuts the channels down, letting each finish its calls for up to 5 s: after a drain
     * the server has answered everything, but a client may still be reading its last
     * reply.
     */
    public static void closeGently(Collection<ManagedChannel> channels) {
        channels.forEach(ManagedChannel::shutdown);
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            channel.shutdownNow();
        }
    }

}
