package io.github.grpcgraceful.internal.config;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a {@code grpc.shutdown.*} value that failed startup, naming the property, the
 * value and a valid example. Ordered ahead of Spring Boot's generic binding analyzer,
 * which would not say what a valid value looks like.
 */
public class GrpcShutdownPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    private static final Map<String, String> EXAMPLES = Map.of("grpc.shutdown.enabled", "true or false",
            "grpc.shutdown.grace-period",
            "a non-negative duration such as 30s, 500ms or 1m (a bare number means seconds)",
            "grpc.shutdown.drain-delay", "a non-negative duration such as 5s or 0s (a bare number means seconds)",
            "grpc.shutdown.long-lived-methods",
            "a list of full method names such as events.Events/Subscribe or "
                    + "chat.Chat/* (or an empty list to wait for every call)",
            "grpc.shutdown.quiet-period",
            "a non-negative duration such as 500ms or 1s (a bare number means seconds), or leave it unset for a "
                    + "fixed drain-delay",
            "grpc.shutdown.force-on-second-signal", "true or false");

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        InvalidShutdownPropertyException invalid = findCause(cause, InvalidShutdownPropertyException.class);
        if (invalid != null) {
            return analysis(invalid.property(), invalid.value(), invalid.problem(), cause);
        }
        String property = cause.getName().toString();
        ConfigurationProperty bound = cause.getProperty();
        if (!EXAMPLES.containsKey(property) || bound == null) {
            return null;
        }
        return analysis(property, String.valueOf(bound.getValue()), problem(cause), cause);
    }

    private String problem(BindException cause) {
        if (findCause(cause, ArithmeticException.class) != null) {
            return "is too long to compute with (anything over about 73 years already means forever)";
        }
        Class<?> type = cause.getTarget().getType().resolve();
        return type == boolean.class ? "is not a boolean"
                : type == Duration.class ? "is not a duration" : "is not valid";
    }

    private static FailureAnalysis analysis(String property, String value, String problem, BindException cause) {
        return new FailureAnalysis("Invalid value '" + value + "' for property '" + property + "': it " + problem + ".",
                "Set '" + property + "' to " + EXAMPLES.get(property) + ".", cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
