package io.github.grpcgraceful.sample.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.sample.greeter.HelloRequest;
import io.github.grpcgraceful.sample.stream.GreetingStreamGrpc;
import io.github.grpcgraceful.sample.stream.SubscribeRequest;
import io.github.grpcgraceful.testing.OtlpReceiver;
import io.github.grpcgraceful.testing.StreamProbe;
import io.grpc.Status;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * One real drain, recorded for the README's timeline picture: the sample, tracing to a
 * real OTLP receiver, gets a SIGTERM with unary calls of 1 to 4 s and two of 30 s in
 * flight, two subscribed streams, and new calls arriving every 200 ms until they are
 * refused. The in-flight calls per method come from the starter's endpoint, polled every
 * 100 ms; the steps from the drain's span, as a trace backend would show them. Writes
 * {@code target/drain-timeline/<jar>/inflight.csv} and {@code steps.csv}, which
 * {@code sample-app/charts/drain_timeline.py} draws. Not in the default build (it takes
 * some 12 s): {@code -Dit.test=DrainTimelineIT} runs it.
 */
class DrainTimelineIT {

    private static final Pattern BY_METHOD = Pattern.compile("\"inFlightByMethod\":\\{([^}]*)\\}");

    private static final Pattern COUNT = Pattern.compile("\"([^\"]+)\":(\\d+)");

    private final List<String> inFlight = new CopyOnWriteArrayList<>(List.of("t_ms,method,in_flight"));

    private final Map<String, Status.Code> outcomes = new ConcurrentHashMap<>();

    /** A thread per call: every call blocks its thread until it ends. */
    private final ExecutorService callers = Executors.newCachedThreadPool();

    private SampleProcess sample;

    private OtlpReceiver collector;

    @AfterEach
    void stop() {
        callers.shutdownNow();
        if (sample != null) {
            sample.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void aDrainWithCallsOfEveryKindIsRecordedForItsTimeline() throws Exception {
        collector = new OtlpReceiver();
        sample = SampleProcess.start("timeline", "--grpc.shutdown.drain-delay=2s", "--grpc.shutdown.grace-period=5s",
                "--management.tracing.enabled=true", "--management.tracing.sampling.probability=1.0",
                "--management.otlp.tracing.endpoint=" + collector.tracesUrl(),
                "--management.opentelemetry.tracing.export.otlp.endpoint=" + collector.tracesUrl());
        List<StreamProbe<?>> streams = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            StreamProbe<io.github.grpcgraceful.sample.stream.Greeting> stream = new StreamProbe<>();
            GreetingStreamGrpc.newStub(sample.newChannel())
                .subscribe(SubscribeRequest.newBuilder().setName("s" + i).setInterval("500ms").build(), stream);
            streams.add(stream);
        }
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (String duration : List.of("1s", "2s", "3s", "4s", "30s", "30s")) {
            calls.add(call("sleep-" + duration + "-" + calls.size(), duration));
        }
        CompletableFuture<Void> polling = CompletableFuture.runAsync(this::pollUntilGone, callers);
        awaitInFlight(8);
        Thread.sleep(300);
        long sigterm = System.currentTimeMillis();
        sample.sigterm();
        // New calls, as a load balancer still sends them while the drain-delay runs.
        for (int i = 0; !refused(); i++) {
            calls.add(call("new-" + i, "500ms"));
            Thread.sleep(200);
            assertThat(System.currentTimeMillis() - sigterm).as("new calls refused in time").isLessThan(10_000);
        }
        assertThat(sample.awaitExit(Duration.ofSeconds(30))).as("process exited").isTrue();
        polling.get(10, TimeUnit.SECONDS);
        CompletableFuture
            .allOf(calls.stream().map(call -> call.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
            .get(10, TimeUnit.SECONDS);

        Span drain = collector.spans()
            .stream()
            .filter(span -> span.getName().equals("grpc server drain"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no drain span"));
        List<String> steps = new ArrayList<>(List.of("t_ms,step"));
        drain.getEventsList()
            .forEach(event -> steps.add(TimeUnit.NANOSECONDS.toMillis(event.getTimeUnixNano()) + ",\""
                    + event.getName().replace("\"", "'") + "\""));
        Path dir = Files.createDirectories(Path.of("target", "drain-timeline",
                SampleJar.packagedJar().getFileName().toString().replace(".jar", "")));
        Files.write(dir.resolve("inflight.csv"), inFlight);
        Files.write(dir.resolve("steps.csv"), steps);
        Files.writeString(dir.resolve("sigterm.txt"), Long.toString(sigterm));

        assertThat(outcomes).as("the calls of 1 to 4 s completed")
            .containsEntry("sleep-1s-0", Status.Code.OK)
            .containsEntry("sleep-4s-3", Status.Code.OK);
        assertThat(outcomes).as("the calls of 30 s were ended at the deadline")
            .containsEntry("sleep-30s-4", Status.Code.UNAVAILABLE)
            .containsEntry("sleep-30s-5", Status.Code.UNAVAILABLE);
        assertThat(drain.getEventsList()).extracting(Span.Event::getName)
            .last()
            .asString()
            .startsWith("drained: forced in 7s");
        assertThat(drain.getEventsList().get(0).getName()).startsWith("out of service: 8 in flight");
        assertThat(inFlight).as("samples with calls in flight").hasSizeGreaterThan(20);
        for (StreamProbe<?> stream : streams) {
            assertThat(stream.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        }
    }

    private void awaitInFlight(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Pattern total = Pattern.compile("\"inFlight\":(\\d+)");
        while (true) {
            Matcher inFlightNow = total.matcher(sample.get("/actuator/grpcshutdown").body());
            if (inFlightNow.find() && Integer.parseInt(inFlightNow.group(1)) >= count) {
                return;
            }
            assertThat(System.nanoTime()).as("%d calls in flight in time", count).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private CompletableFuture<?> call(String name, String duration) {
        return CompletableFuture.runAsync(() -> {
            try {
                sample.greeter()
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .sayHello(HelloRequest.newBuilder().setName(name).setDuration(duration).build());
                outcomes.put(name, Status.Code.OK);
            }
            catch (RuntimeException e) {
                outcomes.put(name, Status.fromThrowable(e).getCode());
            }
        }, callers);
    }

    private boolean refused() {
        return outcomes.entrySet()
            .stream()
            .anyMatch(entry -> entry.getKey().startsWith("new-") && entry.getValue() == Status.Code.UNAVAILABLE);
    }

    /**
     * The calls in flight per method, every 100 ms, until the endpoint answers no more.
     */
    private void pollUntilGone() {
        while (true) {
            HttpResponse<String> report;
            try {
                report = sample.get("/actuator/grpcshutdown");
            }
            catch (RuntimeException e) {
                return;
            }
            if (report == null) {
                return;
            }
            long now = System.currentTimeMillis();
            Map<String, Integer> counts = new TreeMap<>();
            Matcher methods = BY_METHOD.matcher(report.body());
            if (methods.find()) {
                Matcher count = COUNT.matcher(methods.group(1));
                while (count.find()) {
                    counts.put(count.group(1), Integer.parseInt(count.group(2)));
                }
            }
            counts.forEach((method, count) -> inFlight.add(now + "," + method + "," + count));
            if (counts.isEmpty()) {
                inFlight.add(now + ",,0");
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                return;
            }
        }
    }

}
