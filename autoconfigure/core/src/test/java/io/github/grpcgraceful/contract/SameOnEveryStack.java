package io.github.grpcgraceful.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A contract test of what the engine or the Spring edge does the same way on every stack:
 * the engine's own tests prove it in core on a manual clock, and the primary stack
 * (Spring Boot 4.1 on Netty) runs it on its real server. The other stacks leave it out
 * (their {@code excludedGroups}) and run what differs between stacks: their server's
 * stop, transport, lifecycle, health service and registries.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(SameOnEveryStack.TAG)
public @interface SameOnEveryStack {

    /** The tag the other stacks exclude. */
    String TAG = "same-on-every-stack";

}
