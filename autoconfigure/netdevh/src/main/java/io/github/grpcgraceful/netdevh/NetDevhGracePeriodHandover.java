package io.github.grpcgraceful.netdevh;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

import io.github.grpcgraceful.drain.Durations;
import net.devh.boot.grpc.server.config.GrpcServerProperties;

/**
 * Makes net.devh's own stop wait for the server without a deadline of its own ({@code
 * grpc.server.shutdown-grace-period} negative), so that only {@code grpc.shutdown.grace-period} decides when calls are
 * cut: the drain ends what is left at its deadline and then stops the server, which ends net.devh's wait too.
 */
public class NetDevhGracePeriodHandover implements BeanPostProcessor, EnvironmentAware {

    static final String NET_DEVH_GRACE_PERIOD = "grpc.server.shutdown-grace-period";
    private static final Duration WAIT_FOR_TERMINATION = Duration.ofSeconds(-1);
    private static final Logger log = LoggerFactory.getLogger(NetDevhGracePeriodHandover.class);

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof GrpcServerProperties properties) {
            if (environment != null && Binder.get(environment).bind(NET_DEVH_GRACE_PERIOD, Duration.class).isBound()) {
                log.info("'{}' ({}) is not used while the graceful shutdown is on: 'grpc.shutdown.grace-period' "
                        + "decides how long calls may run on", NET_DEVH_GRACE_PERIOD, Durations.describe(properties.getShutdownGracePeriod()));
            }
            properties.setShutdownGracePeriod(WAIT_FOR_TERMINATION);
        }
        return bean;
    }
}
