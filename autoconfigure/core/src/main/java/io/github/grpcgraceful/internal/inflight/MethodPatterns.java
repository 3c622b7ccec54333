package io.github.grpcgraceful.internal.inflight;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Full gRPC method names, such as {@code events.Events/Subscribe}, in which {@code *}
 * stands for any characters within the service or the method name ({@code chat.Chat/*},
 * {@code *.Health/Watch}). Immutable.
 */
public final class MethodPatterns {

    /**
     * The standard streams that stay open for a connection's whole life: health watches
     * and reflection.
     */
    public static final List<String> STANDARD_LONG_LIVED = List.of("grpc.health.v1.Health/Watch",
            "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9_.*]+/[A-Za-z0-9_*]+");

    private static final MethodPatterns NONE = new MethodPatterns(List.of(), List.of());

    private final List<String> patterns;

    private final List<Pattern> regexes;

    private MethodPatterns(List<String> patterns, List<Pattern> regexes) {
        this.patterns = patterns;
        this.regexes = regexes;
    }

    /**
     * The given patterns.
     * @throws IllegalArgumentException naming the first pattern that is not a full method
     * name, and why
     */
    public static MethodPatterns of(List<String> patterns) {
        List<Pattern> regexes = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            regexes.add(compile(pattern));
        }
        return new MethodPatterns(List.copyOf(patterns), List.copyOf(regexes));
    }

    public static MethodPatterns none() {
        return NONE;
    }

    /**
     * Whether {@code fullMethodName} (e.g. {@code grpc.health.v1.Health/Watch}) matches
     * one of the patterns.
     */
    public boolean matches(String fullMethodName) {
        for (Pattern regex : regexes) {
            if (regex.matcher(fullMethodName).matches()) {
                return true;
            }
        }
        return false;
    }

    public List<String> patterns() {
        return patterns;
    }

    @Override
    public String toString() {
        return String.join(", ", patterns);
    }

    /**
     * What is wrong with {@code pattern}, to follow its quoted text in a message, or
     * {@code null} if it is valid.
     */
    public static String problemWith(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return "is empty";
        }
        if (pattern.startsWith("/")) {
            return "starts with '/': write the full method name without it, such as " + pattern.substring(1);
        }
        if (!SYNTAX.matcher(pattern).matches()) {
            return "is not a full method name of the form package.Service/Method "
                    + "(letters, digits, '_' and '.', with '*' for any characters)";
        }
        return null;
    }

    private static Pattern compile(String pattern) {
        String problem = problemWith(pattern);
        if (problem != null) {
            throw new IllegalArgumentException("'" + pattern + "' " + problem);
        }
        StringBuilder regex = new StringBuilder();
        for (String literal : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^/]*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString());
    }

}
