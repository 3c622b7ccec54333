package io.github.grpcgraceful.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The public API stands on its own: no source file in {@code io.github.grpcgraceful.api}
 * names a class of {@code io.github.grpcgraceful.internal}, so the internals may change
 * in any release without touching it, and the two packages never depend on each other
 * both ways.
 */
class ApiDependsOnNothingInternalTest {

    @Test
    void noApiSourceNamesAnInternalClass() throws IOException {
        Path api = Path.of("src/main/java/io/github/grpcgraceful/api");
        List<Path> sources;
        try (Stream<Path> files = Files.list(api)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(Files.readString(source)).as(source.toString())
                .doesNotContain("io.github.grpcgraceful.internal");
        }
    }

}
