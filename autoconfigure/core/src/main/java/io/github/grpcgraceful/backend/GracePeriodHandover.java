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

import io.github.grpcgraceful.config.GrpcShutdownProperties;
import io.github.grpcgraceful.drain.Durations;

/**
 * Hands the grace period over from the gRPC backend to the drain: it sets the backend's own shutdown grace period, as
 * bound in its properties bean, to {@code grpc.shutdown.grace-period} plus a margin, so that only the drain decides
 * when calls are cut (the drain ends what is left at its deadline and then stops the server, which ends the backend's
 * wait too), while a backend stop that ever ran without the drain would still keep a deadline: never "forever"
 * unless the grace period is. If the user had set the backend's property, it says so. With
 * {@code grpc.shutdown.enabled=false} at run time (an application whose conditions were fixed at build time by Spring
 * AOT) it leaves the backend's setting alone.
 *
 * @param <P> the backend's properties type
 */
public class GracePeriodHandover<P> implements BeanPostProcessor, EnvironmentAware {

    /** Longer than the drain takes after its deadline to end calls, let them flush and stop the servers. */
    static final Duration MARGIN = Duration.ofSeconds(3);
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
        if (propertiesType.isInstance(bean) && environment != null) {
            Binder binder = Binder.get(environment);
            GrpcShutdownProperties shutdown = binder.bind(GrpcShutdownProperties.PREFIX,
                    GrpcShutdownProperties.class).orElseGet(GrpcShutdownProperties::new);
            if (!shutdown.isEnabled()) {
                return bean;
            }
            P properties = propertiesType.cast(bean);
            if (binder.bind(property, Duration.class).isBound()) {
                log.info("'{}' ({}) is not used while the graceful shutdown is on: 'grpc.shutdown.grace-period' "
                        + "decides how long calls may run on", property, Durations.describe(getter.apply(properties)));
            }
            setter.accept(properties, backendGracePeriod(shutdown.getGracePeriod()));
        }
        return bean;
    }

    /** What the backend's own stop waits at most: the drain's grace period and a margin, or forever (negative). */
    static Duration backendGracePeriod(Duration gracePeriod) {
        Duration withMargin = Durations.saturated(gracePeriod).plus(MARGIN);
        return withMargin.compareTo(Durations.FOREVER) >= 0 ? Duration.ofSeconds(-1) : withMargin;
    }
}
