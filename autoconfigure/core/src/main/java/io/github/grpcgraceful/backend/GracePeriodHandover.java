package io.github.grpcgraceful.backend;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

import io.github.grpcgraceful.drain.Durations;

/**
 * Hands the grace period over from the gRPC backend to the drain: it sets the backend's own shutdown grace period,
 * as bound in its properties bean, to wait for the server without a deadline, so that only
 * {@code grpc.shutdown.grace-period} decides when calls are cut (the drain ends what is left at its deadline and then
 * stops the server, which ends the backend's wait too). If the user had set the backend's property, it says so.
 *
 * @param <P> the backend's properties type
 */
public class GracePeriodHandover<P> implements BeanPostProcessor, EnvironmentAware {

    private static final Duration WAIT_FOR_TERMINATION = Duration.ofSeconds(-1);
    private static final Logger log = LoggerFactory.getLogger(GracePeriodHandover.class);

    private final Class<P> propertiesType;
    private final String property;
    private final Function<P, Duration> getter;
    private final BiConsumer<P, Duration> setter;
    private Environment environment;

    /**
     * @param propertiesType the backend's properties bean type
     * @param property the backend's grace-period property, e.g. {@code grpc.server.shutdown-grace-period}
     * @param getter reads it from the bean
     * @param setter writes it to the bean
     */
    public GracePeriodHandover(Class<P> propertiesType, String property, Function<P, Duration> getter,
            BiConsumer<P, Duration> setter) {
        this.propertiesType = propertiesType;
        this.property = property;
        this.getter = getter;
        this.setter = setter;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (propertiesType.isInstance(bean)) {
            P properties = propertiesType.cast(bean);
            if (environment != null && Binder.get(environment).bind(property, Duration.class).isBound()) {
                log.info("'{}' ({}) is not used while the graceful shutdown is on: 'grpc.shutdown.grace-period' "
                        + "decides how long calls may run on", property, Durations.describe(getter.apply(properties)));
            }
            setter.accept(properties, WAIT_FOR_TERMINATION);
        }
        return bean;
    }
}
