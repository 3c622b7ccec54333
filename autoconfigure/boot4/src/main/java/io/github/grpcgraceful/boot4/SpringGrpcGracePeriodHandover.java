package io.github.grpcgraceful.boot4;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

import io.github.grpcgraceful.drain.Durations;

/**
 * Makes the server lifecycle's own stop wait for the server without a deadline of its own
 * ({@code spring.grpc.server.shutdown.grace-period} negative), so that only {@code grpc.shutdown.grace-period} decides
 * when calls are cut: the drain ends what is left at its deadline and then stops the server, which ends that wait.
 */
public class SpringGrpcGracePeriodHandover implements BeanPostProcessor, EnvironmentAware {

    static final String SPRING_GRPC_GRACE_PERIOD = "spring.grpc.server.shutdown.grace-period";
    private static final Duration WAIT_FOR_TERMINATION = Duration.ofSeconds(-1);
    private static final Logger log = LoggerFactory.getLogger(SpringGrpcGracePeriodHandover.class);

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof GrpcServerProperties properties) {
            if (environment != null
                    && Binder.get(environment).bind(SPRING_GRPC_GRACE_PERIOD, Duration.class).isBound()) {
                log.info("'{}' ({}) is not used while the graceful shutdown is on: 'grpc.shutdown.grace-period' "
                        + "decides how long calls may run on", SPRING_GRPC_GRACE_PERIOD,
                        Durations.describe(properties.getShutdown().getGracePeriod()));
            }
            properties.getShutdown().setGracePeriod(WAIT_FOR_TERMINATION);
        }
        return bean;
    }
}
