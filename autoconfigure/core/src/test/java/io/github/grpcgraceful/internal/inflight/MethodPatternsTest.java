package io.github.grpcgraceful.internal.inflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MethodPatternsTest {

    @ParameterizedTest
    @CsvSource({ "chat.Chat/*, chat.Chat/Send, true", "chat.Chat/*, chat.Chat/Receive, true",
            "chat.Chat/*, chat.ChatAdmin/Send, false", "chat.Chat/*, other.chat.Chat/Send, false",
            "*.Health/Watch, grpc.health.v1.Health/Watch, true", "*.Health/Watch, grpc.health.v1.Health/Check, false",
            "events.Events/Subscribe, events.Events/Subscribe, true",
            "events.Events/Subscribe, eventsXEvents/Subscribe, false",
            "events.Events/Sub*, events.Events/SubscribeAll, true", "*/*, Greeter/SayHello, true", })
    void matchesFullMethodNamesWithStarsWithinOnePart(String pattern, String method, boolean matches) {
        assertThat(MethodPatterns.of(List.of(pattern)).matches(method)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "''                    | is empty", "/chat.Chat/Send       | starts with '/'",
            "Subscribe             | is not a full method name", "chat.Chat/Send/Again  | is not a full method name",
            "chat Chat/Send        | is not a full method name", "chat.Chat/            | is not a full method name", })
    void rejectsWhatIsNoFullMethodNameSayingWhy(String pattern, String problem) {
        assertThat(MethodPatterns.problemWith(pattern)).startsWith(problem);
        assertThatIllegalArgumentException().isThrownBy(() -> MethodPatterns.of(List.of(pattern)))
            .withMessageStartingWith("'" + pattern + "' " + problem);
    }

    @ParameterizedTest
    @CsvSource({ "grpc.health.v1.Health/Watch", "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            "grpc.reflection.v1.ServerReflection/ServerReflectionInfo" })
    void theStandardListNamesHealthWatchAndBothReflectionVersions(String method) {
        assertThat(MethodPatterns.of(MethodPatterns.STANDARD_LONG_LIVED).matches(method)).isTrue();
        assertThat(MethodPatterns.none().matches(method)).isFalse();
    }

}
