package io.github.grpcgraceful.sample;

import java.util.concurrent.ScheduledExecutorService;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.grpcgraceful.sample.greeter.GreeterProperties;
import io.github.grpcgraceful.sample.greeter.GreeterService;
import io.github.grpcgraceful.sample.stream.GreetingStreamService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import net.devh.boot.grpc.server.service.GrpcService;

/** The sample's services, marked as net.devh finds them. */
@Configuration(proxyBeanMethods = false)
class NetDevhServices {

    @Bean
    @GrpcService
    GreeterService greeterService(ScheduledExecutorService greeterReplyTimer, GreeterProperties properties) {
        return new GreeterService(greeterReplyTimer, properties);
    }

    @Bean
    @GrpcService
    GreetingStreamService greetingStreamService(ScheduledExecutorService greeterReplyTimer,
            GreeterProperties properties) {
        return new GreetingStreamService(greeterReplyTimer, properties);
    }

    /**
     * Reflection v1 beside net.devh's v1alpha, as current grpcurl and Spring Boot 4 serve
     * it.
     */
    @Bean
    @GrpcService
    ProtoReflectionServiceV1 reflectionV1() {
        return (ProtoReflectionServiceV1) ProtoReflectionServiceV1.newInstance();
    }

}
