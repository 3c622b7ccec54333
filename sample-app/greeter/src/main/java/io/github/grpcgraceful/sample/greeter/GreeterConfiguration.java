package io.github.grpcgraceful.sample.greeter;

import java.util.concurrent.ScheduledThreadPoolExecutor;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What both sample apps share: the timer that sends every delayed reply and greeting.
 * Each app registers the services the way its gRPC backend finds them.
 */
@Configuration(proxyBeanMethods = false)
public class GreeterConfiguration {

    /** One daemon thread schedules every delayed reply; no thread sleeps per call. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledThreadPoolExecutor greeterReplyTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "greeter-reply-timer");
            thread.setDaemon(true);
            return thread;
        });
        // A cancelled call's reply leaves the queue at once instead of when it would have
        // been due.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

}
