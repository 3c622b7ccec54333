package io.github.grpcgraceful.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The drain engine stands without Spring: no source file in
 * {@code io.github.grpcgraceful.internal.engine} names a Spring type, so that Spring
 * stays at the edge (the lifecycle adapter, the auto-configuration).
 */
class EngineIsSpringFreeTest {

    @Test
    void noEngineSourceNamesASpringType() throws IOException {
        Path engine = Path.of("src/main/java/io/github/grpcgraceful/internal/engine");
        List<Path> sources;
        try (Stream<Path> files = Files.list(engine)) {
            sources = files.filter((file) -> file.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(Files.readString(source)).as(source.toString()).doesNotContain("org.springframework");
        }
    }

}
