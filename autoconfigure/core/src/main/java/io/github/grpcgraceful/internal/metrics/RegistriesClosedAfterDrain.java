package io.github.grpcgraceful.internal.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.AbstractApplicationContext;

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer;

/**
 * Moves Spring Boot's closing of the meter registries from the start of the context's
 * close to the end of the drain, so that push registries (OTLP, Datadog, StatsD, …) keep
 * publishing at their step while calls drain, and their final publish carries the drain's
 * timer and counters.
 *
 * <p>
 * Spring Boot closes every registry when the context starts closing, before any lifecycle
 * stops, so that no gauge is read while beans are destroyed. This keeps Boot's own
 * listener (the bean {@value #BOOT_CLOSER}, in Boot 3 and 4) and hands it the same
 * {@link ContextClosedEvent} later: in the lifecycle phase right after the drain's, still
 * before any bean is destroyed. Nothing else about the close moves. Where a close will
 * not drain (the drainer is disabled, or there is no server), Boot's listener runs when
 * it always did; a lifecycle stop that is no close closes no registry.
 */
public class RegistriesClosedAfterDrain implements SmartLifecycle, ApplicationListener<ContextClosedEvent>,
        ApplicationContextAware, SmartInitializingSingleton, DisposableBean {

    /** The name of Spring Boot's listener that closes the meter registries. */
    static final String BOOT_CLOSER = "meterRegistryCloser";

    private static final Logger log = LoggerFactory.getLogger(RegistriesClosedAfterDrain.class);

    /**
     * Looked up when needed, not injected: Spring stops a lifecycle bean's dependents
     * before the bean itself, and this one must stop after the drainer.
     */
    private final ObjectProvider<GrpcServerDrainer> drainer;

    private ApplicationContext context;

    /**
     * Boot's listener, taken off the context's listeners; {@code null} until then and
     * once it has run. Guarded by this, as is {@link #closed}: the context's refresh and
     * its close may run on different threads (a shutdown hook).
     */
    private ApplicationListener<ContextClosedEvent> bootCloser;

    /**
     * The context's close, which Boot's listener gets once the drain is over;
     * {@code null} until it closes.
     */
    private ContextClosedEvent closed;

    private volatile boolean running;

    public RegistriesClosedAfterDrain(ObjectProvider<GrpcServerDrainer> drainer) {
        this.drainer = drainer;
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
    }

    /**
     * Takes Boot's listener off the context's listeners, once they are all registered.
     */
    @Override
    @SuppressWarnings("unchecked")
    public synchronized void afterSingletonsInstantiated() {
        GrpcServerDrainer current = drainer.getIfAvailable();
        if (current == null || !current.isEnabled() || !(context instanceof ConfigurableApplicationContext configurable)
                || !configurable.containsBean(BOOT_CLOSER)
                || !configurable.containsBean(AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME)) {
            return;
        }
        Object closer = configurable.getBean(BOOT_CLOSER);
        if (!(closer instanceof ApplicationListener<?> listener)) {
            return;
        }
        // Registered twice: by its bean name, and as an instance once created.
        configurable
            .getBean(AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME,
                    ApplicationEventMulticaster.class)
            .removeApplicationListenerBean(BOOT_CLOSER);
        configurable.removeApplicationListener(listener);
        bootCloser = (ApplicationListener<ContextClosedEvent>) listener;
        log.debug("The meter registries close after the gRPC drain, not when the context starts closing");
    }

    @Override
    public synchronized void onApplicationEvent(ContextClosedEvent event) {
        if (bootCloser == null || event.getApplicationContext() != context) {
            return;
        }
        closed = event;
        GrpcServerDrainer current = drainer.getIfAvailable();
        if (current == null || !current.willDrain()) {
            closeRegistries();
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Right after the drainer's: the drain has ended, the beans are still there. */
    @Override
    public int getPhase() {
        return GrpcServerDrainer.PHASE - 1;
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (closed != null) {
            closeRegistries();
        }
    }

    /**
     * Only if no lifecycle stop came (a close without a started lifecycle): better late
     * than never.
     */
    @Override
    public synchronized void destroy() {
        if (closed != null) {
            closeRegistries();
        }
    }

    private void closeRegistries() {
        ApplicationListener<ContextClosedEvent> closer = bootCloser;
        if (closer == null) {
            return;
        }
        bootCloser = null;
        try {
            closer.onApplicationEvent(closed);
        }
        catch (RuntimeException e) {
            log.warn("Closing the meter registries after the gRPC drain failed", e);
        }
    }

}
