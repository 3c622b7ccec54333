package io.github.grpcgraceful.netdevh;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.internal.backend.NoDrainableServer;
import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;

/**
 * When the starter finds no net.devh server to drain, it says so at startup, with the
 * reason.
 */
@AutoConfiguration(after = GrpcGracefulShutdownAutoConfiguration.class)
@ConditionalOnProperty(prefix = GrpcShutdownProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnMissingBean(GrpcServerDrainer.class)
public class GrpcShutdownNoServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    NoDrainableServer grpcShutdownNoDrainableServer(ApplicationContext context) {
        return NoDrainableServer.forBackend(context.getClassLoader(),
                "net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle",
                "net.devh starts no gRPC server (no GrpcServerLifecycle bean)",
                "net.devh's gRPC server is not on the class path (grpc-server-spring-boot-starter)");
    }

}
