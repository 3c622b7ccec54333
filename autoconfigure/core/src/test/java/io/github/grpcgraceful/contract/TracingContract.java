package io.github.grpcgraceful.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.grpcgraceful.testing.GrpcApp;
import io.github.grpcgraceful.testing.OtlpReceiver;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * The drain in a trace: with the stack's tracing on (OpenTelemetry through Micrometer
 * Tracing) and an OTLP/HTTP span exporter pointed at a real receiver, the drain reaches
 * the receiver as one span, with its steps as events, before the context has closed; the
 * call the deadline ended is in its own span, cancelled at the deadline. Where the
 * application meters, the same observation is a timer, and each step a counter.
 */
public abstract class TracingContract extends GrpcAppContract {

    /** The properties that make the stack's tracing export every span to {@code url}. */
    protected abstract List<String> tracingTo(String url);

    @Test
    void theDrainReachesTheTraceReceiverAsOneSpanWithItsSteps() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            List<String> properties = new ArrayList<>(tracingTo(receiver.tracesUrl()));
            properties.addAll(List.of("management.tracing.enabled=true", "management.tracing.sampling.probability=1.0",
                    "grpc.shutdown.drain-delay=0", "grpc.shutdown.grace-period=1s"));
            GrpcApp app = start(properties.toArray(String[]::new));
            MeterRegistry meters = app.context().getBean(MeterRegistry.class);
            CompletableFuture<String> reply = app.sleepCall(30_000);

            app.closeAsync().get(30, TimeUnit.SECONDS);

            assertThatThrownBy(reply::get).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            List<Span> drains = receiver.spans()
                .stream()
                .filter(span -> span.getName().equals("grpc server drain"))
                .toList();
            assertThat(drains).as("drain spans received by the time the context closed").hasSize(1);
            Span drain = drains.get(0);
            assertThat(drain.getEventsList()).extracting(Span.Event::getName)
                .satisfiesExactly(e -> assertThat(e).startsWith("out of service: 1 in flight"),
                        e -> assertThat(e).isEqualTo("drain-delay ended fixed after 0s"),
                        e -> assertThat(e).isEqualTo("listener closed: new calls refused"),
                        e -> assertThat(e).startsWith("deadline: ended 1 with UNAVAILABLE: test.Slow/Sleep (running "),
                        e -> assertThat(e).startsWith("drained: forced in 1s"));
            assertThat(attribute(drain, "outcome")).isEqualTo("forced");
            assertThat(attribute(drain, "calls.ended")).isEqualTo("1");
            assertThat(drain.getEndTimeUnixNano() - drain.getStartTimeUnixNano()).as("the span lasts the grace period")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));

            assertThat(meters.get("grpc.server.drain").tag("outcome", "forced").timer().count())
                .as("the observation's timer")
                .isOne();
            assertThat(meters.get("grpc.server.drain.deadline").counter().count()).as("a step's counter").isOne();

            Span call = receiver.spans()
                .stream()
                .filter(span -> span.getKind() == Span.SpanKind.SPAN_KIND_SERVER && span.getName().contains("Sleep"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span of the Sleep call in " + receiver.spans()));
            long deadline = drain.getEventsList().get(3).getTimeUnixNano();
            assertThat(call.getEventsList()).extracting(Span.Event::getName).contains("cancelled");
            assertThat(attribute(call, "grpc.drain.ended")).as("the call's span says the drain ended it")
                .isEqualTo("UNAVAILABLE: server shutting down: grace period 1s expired");
            assertThat(call.getEndTimeUnixNano()).as("the call's span ends at the deadline, not after its 30 s")
                .isBetween(deadline - TimeUnit.SECONDS.toNanos(1), drain.getEndTimeUnixNano());
        }
    }

    private static String attribute(Span span, String key) {
        return span.getAttributesList()
            .stream()
            .filter(attribute -> attribute.getKey().equals(key))
            .map(KeyValue::getValue)
            .map(value -> value.getStringValue())
            .findFirst()
            .orElse(null);
    }

}
