package io.github.grpcgraceful.internal.backend;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

import io.github.grpcgraceful.internal.config.GrpcShutdownProperties;
import io.github.grpcgraceful.internal.engine.Durations;

/**
 * Hands the grace period over from the gRPC backend to the drain: it sets the backend's
 * own shutdown grace period, as bound in its properties bean, to
 * {@code grpc.shutdown.grace-period} plus a margin, so that only the drain decides when
 * calls are cut (the drain ends what is left at its deadline and then stops the server,
 * which ends the backend's wait too), while a backend stop that ever ran without the
 * drain would still keep a deadline: never "forever" unless the grace period is. If the
 * user had set the backend's property, it says so. With
 * {@code grpc.shutdown.enabled=false} at run time (an application whose conditions were
 * fixed at build time by Spring AOT) it leaves the backend's setting alone.
 *
 * <p>
 * The value is bound onto the bean by property name, as Spring Boot binds it, so that one
 * handover serves every generation of a backend whose properties class kept its name but
 * moved the property (Spring gRPC 1.0's {@code shutdown-grace-period}, Spring Boot 4.1's
 * {@code shutdown.grace-period}): a name the bean has no property for is not bound.
 *
 * @param <P> the backend's properties type
 */
public class GracePeriodHandover<P> implements BeanPostProcessor, EnvironmentAware {

    /**
     * Longer than the drain takes after its deadline to end calls, let them flush and
     * stop the servers.
     */
    static final Duration MARGIN = Duration.ofSeconds(3);

    private static final Logger log = LoggerFactory.getLogger(GracePeriodHandover.class);

    private final Class<P> propertiesType;

    private final String prefix;

    private final List<String> names;

    private Environment environment;

    /**
     * @param propertiesType the backend's properties bean type
     * @param prefix the bean's properties prefix, e.g. {@code grpc.server}
     * @param names the grace period's name under that prefix, in each generation of the
     * backend, e.g. {@code shutdown-grace-period}
     */
    public GracePeriodHandover(Class<P> propertiesType, String prefix, String... names) {
        this.propertiesType = propertiesType;
        this.prefix = prefix;
        this.names = List.of(names);
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (propertiesType.isInstance(bean) && environment != null) {
            Binder binder = Binder.get(environment);
            GrpcShutdownProperties shutdown = binder.bind(GrpcShutdownProperties.PREFIX, GrpcShutdownProperties.class)
                .orElseGet(GrpcShutdownProperties::new);
            if (!shutdown.isEnabled()) {
                return bean;
            }
            String backendGracePeriod = backendGracePeriod(shutdown.getGracePeriod()).toString();
            Map<String, String> handedOver = new LinkedHashMap<>();
            names.forEach(name -> handedOver.put(prefix + "." + name, backendGracePeriod));
            Set<String> bound = bindOnto(bean, handedOver);
            if (bound.isEmpty()) {
                log.warn("{} has no property {}: its own shutdown grace period still applies, and may cut calls "
                        + "before 'grpc.shutdown.grace-period'", propertiesType.getName(), handedOver.keySet());
            }
            for (String property : bound) {
                binder.bind(property, Duration.class)
                    .ifBound(set -> log.info("'{}' ({}) is not used while the "
                            + "graceful shutdown is on: 'grpc.shutdown.grace-period' decides how long calls may run on",
                            property, Durations.describe(set)));
            }
        }
        return bean;
    }

    /**
     * Binds {@code values} onto {@code bean}; returns the names the bean had a property
     * for.
     */
    private Set<String> bindOnto(Object bean, Map<String, String> values) {
        Set<String> bound = new LinkedHashSet<>();
        new Binder(new MapConfigurationPropertySource(values)).bind(prefix, Bindable.ofInstance(bean),
                new BindHandler() {
                    @Override
                    public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                            Object result) {
                        if (values.containsKey(name.toString())) {
                            bound.add(name.toString());
                        }
                        return result;
                    }
                });
        return bound;
    }

    /**
     * What the backend's own stop waits at most: the drain's grace period and a margin,
     * or forever (negative).
     */
    static Duration backendGracePeriod(Duration gracePeriod) {
        Duration withMargin = Durations.saturated(gracePeriod).plus(MARGIN);
        return withMargin.compareTo(Durations.FOREVER) >= 0 ? Duration.ofSeconds(-1) : withMargin;
    }

}
