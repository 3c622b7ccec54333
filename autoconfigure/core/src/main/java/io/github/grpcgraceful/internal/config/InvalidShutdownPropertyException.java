package io.github.grpcgraceful.internal.config;

/**
 * A {@code grpc.shutdown.*} value that binds but makes no sense, such as a negative grace
 * period.
 */
class InvalidShutdownPropertyException extends IllegalArgumentException {

    private final String property;

    private final String value;

    private final String problem;

    InvalidShutdownPropertyException(String property, String value, String problem) {
        super("'" + property + "' " + problem + ", but was " + value);
        this.property = property;
        this.value = value;
        this.problem = problem;
    }

    String property() {
        return property;
    }

    String value() {
        return value;
    }

    String problem() {
        return problem;
    }

}
