package io.github.grpcgraceful.kotlin

import io.github.grpcgraceful.sample.greeter.GreeterGrpc
import io.github.grpcgraceful.sample.greeter.HelloReply
import io.github.grpcgraceful.sample.greeter.HelloRequest
import io.github.grpcgraceful.sample.stream.Greeting
import io.github.grpcgraceful.sample.stream.GreetingStreamGrpc
import io.github.grpcgraceful.sample.stream.SubscribeRequest
import io.github.grpcgraceful.testing.GrpcApp.await
import io.github.grpcgraceful.testing.StreamProbe
import io.grpc.Status
import java.time.Duration
import java.util.concurrent.TimeUnit
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.springframework.context.ConfigurableApplicationContext

/**
 * What a Kotlin team's gRPC services meet when the application drains, on a real server of each stack: grpc-kotlin
 * coroutine handlers (a `suspend` unary and a server-streaming `Flow`) are cancelled when the drain ends or releases
 * their calls, and the `DrainSignal` reaches a `Flow`. Each stack's test says how its application starts.
 */
abstract class CoroutineDrainContract {

    /** Starts the application with the Kotlin services on a free loopback port, with `properties` added. */
    protected abstract fun run(vararg properties: String): ConfigurableApplicationContext

    private val apps = mutableListOf<KotlinApp>()

    private fun start(vararg properties: String): KotlinApp = KotlinApp(run(*properties)).also { apps += it }

    @AfterEach
    fun closeApps() {
        apps.forEach { it.close() }
    }

    @Test
    fun aSuspendUnaryPastTheDeadlineIsCancelledThenAndNeverReplies() {
        val app = start("grpc.shutdown.grace-period=1s")
        val client = StreamProbe<HelloReply>()
        GreeterGrpc.newStub(app.newChannel()).sayHello(hello("slow", "PT10S"), client)
        await({ app.probe.hasStarted("slow") }, Duration.ofSeconds(10))

        val closing = app.closeInBackground()

        val status = client.closed().get(10, TimeUnit.SECONDS)
        assertThat(status.code).isEqualTo(Status.Code.UNAVAILABLE)
        assertThat(status.description).contains("grace period 1s expired")
        // The coroutine would reply 10 s after it started; cancelled, it ends at the deadline instead.
        await({ app.probe.hasEnded("slow") }, Duration.ofSeconds(5))
        assertThat(app.probe.wasCancelled("slow")).isTrue()
        assertThat(app.probe.hasReplied("slow")).isFalse()
        closing.join(10_000)
        assertThat(closing.isAlive).isFalse()
        assertThat(app.probe.running()).isZero()
    }

    @Test
    fun aFlowStillRunningAtTheDeadlineIsCancelledAndItsFinallyRuns() {
        val app = start("grpc.shutdown.grace-period=1s")
        val client = StreamProbe<Greeting>()
        GreetingStreamGrpc.newStub(app.newChannel()).subscribe(subscribe("endless"), client)
        client.awaitFirstMessage()

        val closing = app.closeInBackground()

        assertThat(client.closed().get(10, TimeUnit.SECONDS).code).isEqualTo(Status.Code.UNAVAILABLE)
        await({ app.probe.hasEnded("endless") }, Duration.ofSeconds(5))
        assertThat(app.probe.wasCancelled("endless")).isTrue()
        closing.join(10_000)
        assertThat(closing.isAlive).isFalse()
        assertThat(app.probe.running()).isZero()
    }

    @Test
    fun aFlowOfALongLivedMethodIsCancelledWhenTheDrainReleasesIt() {
        val app = start("grpc.shutdown.grace-period=30s",
            "grpc.shutdown.long-lived-methods=greeter.stream.GreetingStream/Subscribe")
        val client = StreamProbe<Greeting>()
        GreetingStreamGrpc.newStub(app.newChannel()).subscribe(subscribe("released"), client)
        client.awaitFirstMessage()

        val closing = app.closeInBackground()

        val status = client.closed().get(10, TimeUnit.SECONDS)
        assertThat(status.code).isEqualTo(Status.Code.UNAVAILABLE)
        assertThat(status.description).contains("long-lived stream released")
        await({ app.probe.hasEnded("released") }, Duration.ofSeconds(5))
        assertThat(app.probe.wasCancelled("released")).isTrue()
        // Released, nothing else in flight: the drain does not wait out its 30 s.
        closing.join(10_000)
        assertThat(closing.isAlive).isFalse()
    }

    @Test
    fun aLifecycleStopAndStartLeavesNoCoroutineBehind() {
        val app = start("grpc.shutdown.grace-period=1s")
        val client = StreamProbe<Greeting>()
        GreetingStreamGrpc.newStub(app.newChannel()).subscribe(subscribe("before-restart"), client)
        client.awaitFirstMessage()

        app.context.stop()

        assertThat(client.closed().get(10, TimeUnit.SECONDS).code).isEqualTo(Status.Code.UNAVAILABLE)
        await({ app.probe.running() == 0 }, Duration.ofSeconds(5))
        assertThat(app.probe.wasCancelled("before-restart")).isTrue()
        app.context.start()
        val reply = GreeterGrpc.newBlockingStub(app.newChannel()).sayHello(hello("after-restart", "PT0S"))
        assertThat(reply.message).isEqualTo("Hello after-restart")
        assertThat(app.probe.running()).isZero()
    }

    @Test
    fun theDrainSignalReachesAFlowWhichSaysGoodbyeAndCompletes() {
        val app = start("grpc.shutdown.grace-period=10s")
        val client = StreamProbe<Greeting>()
        GreetingStreamGrpc.newStub(app.newChannel()).subscribe(subscribe(KotlinGreetingStream.POLITE), client)
        client.awaitFirstMessage()

        val closing = app.closeInBackground()

        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(Status.OK)
        assertThat(client.messages().last().goodbye).isTrue()
        assertThat(app.probe.hasReplied(KotlinGreetingStream.POLITE)).isTrue()
        assertThat(app.probe.wasCancelled(KotlinGreetingStream.POLITE)).isFalse()
        closing.join(10_000)
        assertThat(closing.isAlive).isFalse()
    }

    private fun hello(name: String, duration: String): HelloRequest =
        HelloRequest.newBuilder().setName(name).setDuration(duration).build()

    private fun subscribe(name: String): SubscribeRequest = SubscribeRequest.newBuilder().setName(name).build()
}
