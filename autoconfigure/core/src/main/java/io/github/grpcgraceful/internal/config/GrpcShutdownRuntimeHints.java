package io.github.grpcgraceful.internal.config;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpoint;

/**
 * What a GraalVM native image must know of the starter beyond its beans: the JSON types
 * the {@code grpcshutdown} endpoint returns and the drain status, read through their
 * accessors, and the properties, bound through their setters. The hot path needs nothing:
 * it uses gRPC's public API only, without reflection.
 */
public class GrpcShutdownRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
                GrpcShutdownEndpoint.Report.class, GrpcShutdownEndpoint.Call.class, GrpcShutdownEndpoint.Drain.class,
                DrainStatus.class, GrpcShutdownProperties.class);
    }

}
