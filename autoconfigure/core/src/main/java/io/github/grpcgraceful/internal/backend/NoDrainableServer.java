package io.github.grpcgraceful.internal.backend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.util.ClassUtils;

/**
 * Says once, at startup, that the starter is on the class path but finds no gRPC server
 * it can drain, and why: so that {@code grpc.shutdown.*} never does nothing silently.
 * Each backend gives the reason in its own terms.
 */
public class NoDrainableServer implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(NoDrainableServer.class);

    private final String reason;

    public NoDrainableServer(String reason) {
        this.reason = reason;
    }

    /**
     * The notice for a backend whose server lifecycle is {@code lifecycleClass}:
     * {@code noServer} if that class is on {@code classLoader}'s class path (so the
     * backend started none), else {@code notOnClassPath}.
     */
    public static NoDrainableServer forBackend(ClassLoader classLoader, String lifecycleClass, String noServer,
            String notOnClassPath) {
        return new NoDrainableServer(ClassUtils.isPresent(lifecycleClass, classLoader) ? noServer : notOnClassPath);
    }

    public String reason() {
        return reason;
    }

    @Override
    public void afterSingletonsInstantiated() {
        log.info("No gRPC server to drain, so grpc.shutdown.* has no effect here: {}", reason);
    }

}
