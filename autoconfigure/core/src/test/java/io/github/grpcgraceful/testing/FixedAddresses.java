package io.github.grpcgraceful.testing;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;

import io.grpc.EquivalentAddressGroup;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;

/** Client channels over fixed loopback ports: one per replica, in order. */
public final class FixedAddresses {

    private FixedAddresses() {
    }

    /**
     * Round robin over {@code ports}, each connection watched through
     * {@code grpc.health.v1.Health/Watch}.
     */
    public static ManagedChannel healthCheckedRoundRobin(List<Integer> ports) {
        return channel(ports, Map.of("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "healthCheckConfig", Map.of("serviceName", "")));
    }

    /**
     * A channel over {@code ports}, in order, with the given service config (pick_first
     * unless it says otherwise).
     */
    @SuppressWarnings("deprecation") // nameResolverFactory: the plainest way to hand a
                                     // channel fixed addresses
    public static ManagedChannel channel(List<Integer> ports, Map<String, ?> serviceConfig) {
        NameResolver.Factory resolver = new NameResolver.Factory() {
            @Override
            public NameResolver newNameResolver(URI target, NameResolver.Args args) {
                return new NameResolver() {
                    @Override
                    public String getServiceAuthority() {
                        return "localhost";
                    }

                    @Override
                    public void start(Listener2 listener) {
                        List<EquivalentAddressGroup> addresses = ports.stream()
                            .map(port -> new EquivalentAddressGroup(new InetSocketAddress("127.0.0.1", port)))
                            .toList();
                        listener.onResult(ResolutionResult.newBuilder().setAddresses(addresses).build());
                    }

                    @Override
                    public void shutdown() {
                    }
                };
            }

            @Override
            public String getDefaultScheme() {
                return "fixed";
            }
        };
        return Grpc.newChannelBuilder("fixed:///replicas", InsecureChannelCredentials.create())
            .nameResolverFactory(resolver)
            .defaultServiceConfig(serviceConfig)
            .enableRetry()
            .build();
    }

}
