package io.github.grpcgraceful;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What the packages may not name, read from their sources: the public API stands on its
 * own (the internals may change in any release without touching it, and the two never
 * depend on each other both ways), and the drain engine stands without Spring (Spring
 * stays at the edge: the lifecycle adapter, the auto-configuration).
 */
class PackageBoundariesTest {

    @Test
    void theApiNamesNothingInternal() throws IOException {
        assertNoSourceIn("api", "io.github.grpcgraceful.internal");
    }

    @Test
    void theEngineNamesNoSpringType() throws IOException {
        assertNoSourceIn("internal/engine", "org.springframework");
        assertNoSourceIn("internal/clock", "org.springframework");
        assertNoSourceIn("internal/probe", "org.springframework");
        assertNoSourceIn("internal/jfr", "org.springframework");
        assertNoSourceIn("internal/observation", "org.springframework");
        assertNoSourceIn("observation", "org.springframework");
        assertNoSourceIn("observation", "io.github.grpcgraceful.internal");
    }

    private static void assertNoSourceIn(String pkg, String forbidden) throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/github/grpcgraceful", pkg))) {
            sources = files.filter((file) -> file.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(Files.readString(source)).as(source.toString()).doesNotContain(forbidden);
        }
    }

}
