package io.github.grpcgraceful.kotlin

import io.github.grpcgraceful.api.DrainSignal
import io.github.grpcgraceful.sample.greeter.GreeterGrpcKt
import io.github.grpcgraceful.sample.greeter.HelloReply
import io.github.grpcgraceful.sample.greeter.HelloRequest
import io.github.grpcgraceful.sample.stream.Greeting
import io.github.grpcgraceful.sample.stream.GreetingStreamGrpcKt
import io.github.grpcgraceful.sample.stream.SubscribeRequest
import java.time.Duration
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** The Greeter as a Kotlin team writes it: a `suspend` SayHello that waits the requested duration (ISO-8601). */
class KotlinGreeter(private val probe: CoroutineProbe) : GreeterGrpcKt.GreeterCoroutineImplBase() {

    override suspend fun sayHello(request: HelloRequest): HelloReply {
        probe.started(request.name)
        try {
            delay(Duration.parse(request.duration).toMillis())
            probe.replied(request.name)
            return HelloReply.newBuilder().setMessage("Hello " + request.name).build()
        } catch (e: CancellationException) {
            probe.cancelled(request.name)
            throw e
        } finally {
            probe.ended(request.name)
        }
    }
}

/**
 * A server-streaming `Flow` that sends a greeting every 20 ms for as long as it is collected. Asked with the name
 * [POLITE], it takes the [DrainSignal] and, told, sends a goodbye and completes.
 */
class KotlinGreetingStream(private val probe: CoroutineProbe) : GreetingStreamGrpcKt.GreetingStreamCoroutineImplBase() {

    override fun subscribe(request: SubscribeRequest): Flow<Greeting> = flow {
        probe.started(request.name)
        try {
            val draining = CompletableDeferred<Unit>()
            if (request.name == POLITE) {
                DrainSignal.current().onDrain { draining.complete(Unit) }
            }
            var sent = 0
            while (!draining.isCompleted) {
                emit(Greeting.newBuilder().setMessage("greeting ${sent++}").build())
                delay(20)
            }
            emit(Greeting.newBuilder().setMessage("goodbye").setGoodbye(true).build())
            probe.replied(request.name)
        } catch (e: CancellationException) {
            probe.cancelled(request.name)
            throw e
        } finally {
            probe.ended(request.name)
        }
    }

    companion object {
        const val POLITE = "polite"
    }
}
