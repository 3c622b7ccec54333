package io.github.grpcgraceful.boot4;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.internal.backend.NoDrainableServer;
import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;

/**
 * When the starter finds no Spring gRPC server to drain, it says so at startup, with the
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
                "org.springframework.grpc.server.lifecycle.GrpcServerLifecycle",
                "Spring gRPC starts no server of its own (no GrpcServerLifecycle bean) and serves no gRPC "
                        + "through the servlet container (no GrpcServletRegistration bean)",
                "Spring gRPC's server is not on the class path (spring-boot-starter-grpc-server)");
    }

}
