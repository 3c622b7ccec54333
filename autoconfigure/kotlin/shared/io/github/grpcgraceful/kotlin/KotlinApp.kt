package io.github.grpcgraceful.kotlin

import io.github.grpcgraceful.internal.drain.GrpcServerDrainer
import io.grpc.Grpc
import io.grpc.InsecureChannelCredentials
import io.grpc.ManagedChannel
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import org.springframework.context.ConfigurableApplicationContext

/** A started application that serves the Kotlin services, and the channels a test opened to it. */
class KotlinApp(val context: ConfigurableApplicationContext) : AutoCloseable {

    val probe: CoroutineProbe = context.getBean(CoroutineProbe::class.java)
    private val channels = CopyOnWriteArrayList<ManagedChannel>()

    /** A channel to the gRPC server that serves now (after a restart, the new one). */
    fun newChannel(): ManagedChannel {
        val port = context.getBean(GrpcServerDrainer::class.java).servers().first().port
        val channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build()
        channels += channel
        return channel
    }

    /** Closes the context, as a SIGTERM would, on a thread of its own: the close returns when the drain has ended. */
    fun closeInBackground(): Thread = thread(name = "closing-the-context") { context.close() }

    override fun close() {
        channels.forEach { it.shutdownNow().awaitTermination(5, TimeUnit.SECONDS) }
        context.close()
    }
}
