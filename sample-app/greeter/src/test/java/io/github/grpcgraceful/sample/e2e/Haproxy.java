package io.github.grpcgraceful.sample.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy in front of the sample's replicas, on loopback: HTTP/2 (h2c) from
 * clients and to the replicas' gRPC ports, and active HTTP/1 checks of each replica's
 * readiness. {@link #close()} ends it.
 */
final class Haproxy implements AutoCloseable {

    /** How often HAProxy checks each replica's readiness. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final int port;

    private final int statsPort;

    private final Path log;

    private Haproxy(Process process, int port, int statsPort, Path log) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
        this.log = log;
    }

    /** Whether an {@code haproxy} binary is on the PATH. */
    static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "haproxy"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * One backend server per replica, each given as its gRPC port and its HTTP (Actuator)
     * port.
     */
    record Replica(String name, int grpcPort, int httpPort) {
    }

    /**
     * Starts HAProxy in front of {@code replicas}. With {@code retries} above 0 it
     * retries a request whose connection failed, on another replica (retries,
     * redispatch), as most load balancers do; with 0 it passes every failure on.
     */
    static Haproxy start(String name, List<Replica> replicas, int retries) throws IOException, InterruptedException {
        int[] ports = SampleProcess.freePorts(2);
        int port = ports[0];
        int statsPort = ports[1];
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 2000

                defaults
                    mode http
                    timeout connect 1s
                    timeout client 60s
                    timeout server 60s
                    retries %d
                    %s

                frontend grpc
                    bind 127.0.0.1:%d proto h2
                    default_backend replicas

                frontend stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats

                backend replicas
                    balance roundrobin
                    option httpchk GET /actuator/health/readiness
                    http-check expect status 200
                """.formatted(retries, retries > 0 ? "option redispatch" : "no option redispatch", port, statsPort));
        for (Replica replica : replicas) {
            // proto h2 would make the check speak HTTP/2 to Actuator too, hence
            // check-proto h1.
            config.append("    server %s 127.0.0.1:%d proto h2 check port %d check-proto h1 inter %dms fall 1 rise 2%n"
                .formatted(replica.name(), replica.grpcPort(), replica.httpPort(), CHECK_INTERVAL.toMillis()));
        }
        Path dir = Files.createDirectories(Path.of("target", "haproxy"));
        Path configFile = dir.resolve(name + ".cfg");
        Files.writeString(configFile, config);
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder("haproxy", "-db", "-f", configFile.toString()).redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        Haproxy haproxy = new Haproxy(process, port, statsPort, log);
        try {
            haproxy.awaitStats(Duration.ofSeconds(10));
        }
        catch (RuntimeException | Error e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    int port() {
        return port;
    }

    /** Waits until HAProxy reports {@code server} of the replicas backend {@code UP}. */
    void awaitUp(String server, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!"UP".equals(status(server))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("HAProxy never saw " + server + " UP; it says " + status(server));
            }
            Thread.sleep(50);
        }
    }

    /**
     * The status HAProxy's statistics give the server ({@code UP}, {@code DOWN}, ...).
     */
    String status(String server) {
        for (String line : stats().split("\n")) {
            String[] fields = line.split(",");
            if (fields.length > 17 && fields[0].equals("replicas") && fields[1].equals(server)) {
                return fields[17];
            }
        }
        return "unknown";
    }

    private String stats() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
            .timeout(Duration.ofSeconds(2))
            .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (IOException e) {
            return "";
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private void awaitStats(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (stats().isEmpty()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("HAProxy did not start:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
