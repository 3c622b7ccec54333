package io.github.grpcgraceful.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.endpoint.GrpcShutdownEndpoint;

/** A native image can serialize what the endpoint returns and bind the properties. */
class GrpcShutdownRuntimeHintsTest {

    private final RuntimeHints hints = new RuntimeHints();

    GrpcShutdownRuntimeHintsTest() {
        new GrpcShutdownRuntimeHints().registerHints(hints, getClass().getClassLoader());
    }

    @Test
    void theEndpointsJsonTypesCanBeReadThroughTheirAccessors() throws Exception {
        for (Class<?> type : new Class<?>[] { GrpcShutdownEndpoint.Report.class, GrpcShutdownEndpoint.Call.class,
                GrpcShutdownEndpoint.Drain.class, DrainStatus.class, DrainState.class }) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethod(GrpcShutdownEndpoint.Report.class.getMethod("inFlightByMethod"))
            .invoke()).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethod(GrpcShutdownEndpoint.Drain.class.getMethod("endedCalls"))
            .invoke()).accepts(hints);
    }

    @Test
    void thePropertiesCanBeBoundThroughTheirSetters() throws Exception {
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethod(GrpcShutdownProperties.class.getMethod("setGracePeriod", java.time.Duration.class))
            .invoke()).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethod(GrpcShutdownProperties.class.getMethod("setLongLivedMethods", java.util.List.class))
            .invoke()).accepts(hints);
    }

}
