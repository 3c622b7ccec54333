package io.github.grpcgraceful.internal.config;

import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;

/**
 * Says what a refresh of {@code grpc.shutdown.*} (Spring Cloud's
 * {@code /actuator/refresh}, or a config server's push) changes: the drain-delay, the
 * grace period and the long-lived methods apply to the next drain, as the properties are
 * rebound and the drain reads them when it starts; {@code grpc.shutdown.enabled} cannot
 * change while the application runs, and neither can anything while a {@code DrainPolicy}
 * bean of the application's own fixes the policy: a WARN names what does not apply.
 */
public class ShutdownPropertiesRefreshListener implements ApplicationListener<EnvironmentChangeEvent> {

    private static final Logger log = LoggerFactory.getLogger(ShutdownPropertiesRefreshListener.class);

    private static final String ENABLED = GrpcShutdownProperties.PREFIX + ".enabled";

    private final boolean policyFixed;

    private final boolean enabled;

    /**
     * @param policyFixed whether the application's own {@code DrainPolicy} bean, not the
     * properties, rules the drain
     * @param enabled {@code grpc.shutdown.enabled} as the application started with it
     */
    public ShutdownPropertiesRefreshListener(boolean policyFixed, boolean enabled) {
        this.policyFixed = policyFixed;
        this.enabled = enabled;
    }

    @Override
    public void onApplicationEvent(EnvironmentChangeEvent event) {
        Set<String> changed = new TreeSet<>();
        for (String key : event.getKeys()) {
            if (key.startsWith(GrpcShutdownProperties.PREFIX + ".")) {
                changed.add(key);
            }
        }
        if (changed.remove(ENABLED)) {
            log.warn("{} changed, but cannot change while the application runs: the graceful drain stays {} until "
                    + "the application restarts", ENABLED, enabled ? "on" : "off");
        }
        if (changed.isEmpty()) {
            return;
        }
        if (policyFixed) {
            log.warn("{} changed, but a DrainPolicy bean of the application's own rules the drain: the change does "
                    + "not apply", String.join(", ", changed));
        }
        else {
            log.info("{} changed: the next drain follows the new value (GET /actuator/grpcshutdown shows the values "
                    + "in force)", String.join(", ", changed));
        }
    }

}
