package io.github.grpcgraceful.test;

/**
 * Entry point for the assertions of what a client saw in a drain:
 * {@code assertThat(call).completedWithOk()}, {@code .wasReleased()},
 * {@code .endedAtTheDeadline()}, {@code .isStillOpen()}.
 */
public final class GrpcDrainAssertions {

    private GrpcDrainAssertions() {
    }

    public static ObservedCallAssert assertThat(ObservedCall<?> call) {
        return new ObservedCallAssert(call);
    }

}
