package io.github.grpcgraceful.sample;

import java.util.concurrent.ScheduledExecutorService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

import io.github.grpcgraceful.sample.greeter.GreeterProperties;
import io.github.grpcgraceful.sample.greeter.GreeterService;
import io.github.grpcgraceful.sample.stream.GreetingStreamService;

/**
 * The Greeter of the original Go article, served by Spring Boot 4's own gRPC server with
 * the graceful-shutdown starter. Spring Boot serves every {@code BindableService} bean;
 * health and reflection come with it.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    GreeterService greeterService(ScheduledExecutorService greeterReplyTimer, GreeterProperties properties) {
        return new GreeterService(greeterReplyTimer, properties);
    }

    @Bean
    GreetingStreamService greetingStreamService(ScheduledExecutorService greeterReplyTimer,
            GreeterProperties properties) {
        return new GreetingStreamService(greeterReplyTimer, properties);
    }

}
