package io.github.grpcgraceful.kotlin

import net.devh.boot.grpc.server.service.GrpcService
import org.springframework.boot.SpringBootConfiguration
import org.springframework.boot.WebApplicationType
import org.springframework.boot.autoconfigure.EnableAutoConfiguration
import org.springframework.boot.builder.SpringApplicationBuilder
import org.springframework.context.ConfigurableApplicationContext
import org.springframework.context.annotation.Bean

/** The Kotlin services on net.devh's gRPC server (Spring Boot 3.5), which serves the beans marked `@GrpcService`. */
class NetDevhCoroutineDrainTest : CoroutineDrainContract() {

    override fun run(vararg properties: String): ConfigurableApplicationContext =
        SpringApplicationBuilder(App::class.java)
            .web(WebApplicationType.NONE)
            .properties("grpc.server.port=0", "grpc.server.address=127.0.0.1", "spring.main.banner-mode=off")
            .properties(*properties)
            .run()

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    class App {

        @Bean
        fun coroutineProbe() = CoroutineProbe()

        @Bean
        @GrpcService
        fun kotlinGreeter(probe: CoroutineProbe) = KotlinGreeter(probe)

        @Bean
        @GrpcService
        fun kotlinGreetingStream(probe: CoroutineProbe) = KotlinGreetingStream(probe)
    }
}
