package io.github.grpcgraceful.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * An OTLP/HTTP receiver on a free loopback port, as a collector would be: it decodes each
 * pushed {@code ExportMetricsServiceRequest} and keeps it with the time it arrived, and
 * keeps every span of each {@code ExportTraceServiceRequest}.
 */
public final class OtlpReceiver implements AutoCloseable {

    private final HttpServer server;

    private final List<Push> pushes = new CopyOnWriteArrayList<>();

    private final List<Span> spans = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/metrics", this::receive);
        server.createContext("/v1/traces", this::receiveSpans);
        server.start();
    }

    /**
     * The properties that make Spring Boot's OTLP registry push here every {@code step}.
     */
    public String[] properties(Duration step) {
        return new String[] {
                "management.otlp.metrics.export.url=http://127.0.0.1:" + server.getAddress().getPort() + "/v1/metrics",
                "management.otlp.metrics.export.step=" + step.toMillis() + "ms" };
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            pushes.add(new Push(System.nanoTime(), ExportMetricsServiceRequest.parseFrom(body.readAllBytes())));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /** Where an OTLP/HTTP span exporter sends its spans. */
    public String tracesUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    private void receiveSpans(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            ExportTraceServiceRequest.parseFrom(body.readAllBytes())
                .getResourceSpansList()
                .stream()
                .flatMap(resource -> resource.getScopeSpansList().stream())
                .forEach(scope -> spans.addAll(scope.getSpansList()));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /** Every span received so far. */
    public List<Span> spans() {
        return List.copyOf(spans);
    }

    /** Every push so far, in the order they arrived. */
    public List<Push> pushes() {
        return List.copyOf(pushes);
    }

    /** Waits until more than {@code count} pushes have arrived. */
    public void awaitPushes(int count, Duration timeout) {
        GrpcApp.await(() -> pushes.size() > count, timeout);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** One push: when it arrived ({@link System#nanoTime()}) and what it carried. */
    public record Push(long arrivedNanos, ExportMetricsServiceRequest request) {

        private List<Metric> metrics(String name) {
            return request.getResourceMetricsList()
                .stream()
                .flatMap(resource -> resource.getScopeMetricsList().stream())
                .flatMap(scope -> scope.getMetricsList().stream())
                .filter(metric -> metric.getName().equals(name))
                .toList();
        }

        /**
         * The value of gauge {@code name} at the point with {@code tags}, if this push
         * has it.
         */
        public OptionalDouble gauge(String name, Map<String, String> tags) {
            return metrics(name).stream()
                .filter(Metric::hasGauge)
                .flatMap(metric -> metric.getGauge().getDataPointsList().stream())
                .filter(point -> tags(point.getAttributesList()).entrySet().containsAll(tags.entrySet()))
                .mapToDouble(NumberDataPoint::getAsDouble)
                .findFirst();
        }

        /**
         * The count of timer {@code name} (a histogram in OTLP) at the point with
         * {@code tags}, if this push has it.
         */
        public OptionalLong timerCount(String name, Map<String, String> tags) {
            return metrics(name).stream()
                .filter(Metric::hasHistogram)
                .flatMap(metric -> metric.getHistogram().getDataPointsList().stream())
                .filter(point -> tags(point.getAttributesList()).entrySet().containsAll(tags.entrySet()))
                .mapToLong(HistogramDataPoint::getCount)
                .findFirst();
        }

        /** The value of counter {@code name} (a sum in OTLP), if this push has it. */
        public OptionalDouble counter(String name) {
            return metrics(name).stream()
                .filter(Metric::hasSum)
                .flatMap(metric -> metric.getSum().getDataPointsList().stream())
                .mapToDouble(NumberDataPoint::getAsDouble)
                .findFirst();
        }

        private static Map<String, String> tags(List<KeyValue> attributes) {
            return attributes.stream()
                .collect(Collectors.toMap(KeyValue::getKey, attribute -> attribute.getValue().getStringValue(),
                        (first, second) -> first));
        }
    }

}
