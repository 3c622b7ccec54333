package io.github.grpcgraceful.kotlin

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

/**
 * What the coroutine handlers did, by the request's name: started, cancelled (a `CancellationException` reached
 * them), replied, and ended (their `finally` ran).
 */
class CoroutineProbe {

    private val started = ConcurrentHashMap.newKeySet<String>()
    private val cancelled = ConcurrentHashMap.newKeySet<String>()
    private val replied = ConcurrentHashMap.newKeySet<String>()
    private val ended = ConcurrentHashMap.newKeySet<String>()
    private val running = AtomicInteger()

    fun started(name: String) {
        running.incrementAndGet()
        started += name
    }

    fun cancelled(name: String) {
        cancelled += name
    }

    fun replied(name: String) {
        replied += name
    }

    fun ended(name: String) {
        ended += name
        running.decrementAndGet()
    }

    fun hasStarted(name: String) = name in started

    fun wasCancelled(name: String) = name in cancelled

    fun hasReplied(name: String) = name in replied

    fun hasEnded(name: String) = name in ended

    /** Handlers whose coroutine has started and not yet ended. */
    fun running() = running.get()
}
