package io.github.grpcgraceful.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.grpcgraceful.contract.LifecycleRestartContract;
import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;
import io.github.grpcgraceful.testing.GrpcApp;

/**
 * A Spring test suite whose cached contexts Spring Framework 7 pauses (stops) when
 * another one is used and resumes (starts) when it is used again: a paused context comes
 * back serving, and the pause cost no drain-delay. (On Spring gRPC 1.0, whose
 * {@code address} is host and port, the servers listen on its default port, one at a
 * time.)
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class PausedTestContextsTest {

    /**
     * The first context's configuration, used by two test classes: Spring's test
     * framework caches it once.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @SpringBootTest(classes = Boot4GrpcApp.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.grpc.server.port=0", "spring.grpc.server.address=127.0.0.1",
                    "spring.grpc.server.health.enabled=true", "server.address=127.0.0.1",
                    "grpc.shutdown.drain-delay=5s", "management.endpoints.web.exposure.include=health,grpcshutdown",
                    "management.endpoint.health.show-details=always",
                    "management.endpoint.health.probes.enabled=true" })
    @interface FirstContextConfiguration {

    }

    @Nested
    @Order(1)
    @FirstContextConfiguration
    class FirstContext {

        @Autowired
        ConfigurableApplicationContext context;

        @Test
        void serves() {
            LifecycleRestartContract.assertServing(Boot4GrpcApp.of(context));
            assertThat(context.getBean(GrpcServerDrainer.class).previousDrain()).isNull();
        }

    }

    @Nested
    @Order(2)
    @SpringBootTest(classes = Boot4GrpcApp.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.grpc.server.port=0", "spring.grpc.server.address=127.0.0.1",
                    "spring.grpc.server.health.enabled=true", "server.address=127.0.0.1",
                    "grpc.shutdown.grace-period=7s" })
    class AnotherContext {

        @Autowired
        ConfigurableApplicationContext context;

        @Test
        void servesWhileTheFirstIsPaused() {
            assertThat(context.getBean(GrpcServerDrainer.class).policy().gracePeriod()).hasSeconds(7);
        }

    }

    @Nested
    @Order(3)
    @FirstContextConfiguration
    class FirstContextAgain {

        @Autowired
        ConfigurableApplicationContext context;

        @Test
        void servesAgainAfterItsPauseWhichSkippedTheDrainDelay() {
            GrpcApp app = Boot4GrpcApp.of(context);
            LifecycleRestartContract.assertServing(app);
            GrpcServerDrainer drainer = context.getBean(GrpcServerDrainer.class);
            assertThat(drainer.previousDrain()).as("the pause drained this context").isNotNull();
            assertThat(drainer.previousDrain().elapsed()).as("without the 5 s drain-delay")
                .isLessThan(Duration.ofSeconds(4));
        }

    }

}
