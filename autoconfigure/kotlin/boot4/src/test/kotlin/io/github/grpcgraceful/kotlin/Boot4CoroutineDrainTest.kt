package io.github.grpcgraceful.kotlin

import org.springframework.boot.SpringBootConfiguration
import org.springframework.boot.WebApplicationType
import org.springframework.boot.autoconfigure.EnableAutoConfiguration
import org.springframework.boot.builder.SpringApplicationBuilder
import org.springframework.context.ConfigurableApplicationContext
import org.springframework.context.annotation.Bean

/** The Kotlin services on Spring Boot 4.1's own gRPC server (Netty), which serves every `BindableService` bean. */
class Boot4CoroutineDrainTest : CoroutineDrainContract() {

    override fun run(vararg properties: String): ConfigurableApplicationContext =
        SpringApplicationBuilder(App::class.java)
            .web(WebApplicationType.NONE)
            .properties("spring.grpc.server.port=0", "spring.grpc.server.address=127.0.0.1",
                "spring.main.banner-mode=off")
            .properties(*properties)
            .run()

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    class App {

        @Bean
        fun coroutineProbe() = CoroutineProbe()

        @Bean
        fun kotlinGreeter(probe: CoroutineProbe) = KotlinGreeter(probe)

        @Bean
        fun kotlinGreetingStream(probe: CoroutineProbe) = KotlinGreetingStream(probe)
    }
}
