package io.github.grpcgraceful.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * On a {@code @SpringBootTest}: the application's gRPC drain runs on a manual clock, and
 * a {@link GrpcDrain} bean drives it, so that a test can drain the real server, let a 30
 * s grace period pass in no time, see what its calls got, and serve again.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration(GrpcDrainTestAutoConfiguration.class)
public @interface AutoConfigureGrpcDrain {

}
