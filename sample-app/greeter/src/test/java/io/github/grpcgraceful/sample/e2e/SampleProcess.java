package io.github.grpcgraceful.sample.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.grpcgraceful.sample.greeter.GreeterGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * The packaged sample, run as its own process on free loopback ports, as a user runs it
 * ({@link SampleJar} says how). {@link #close()} kills it (and every channel opened to
 * it) whatever state it is in.
 */
final class SampleProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final Path log;

    private final int grpcPort;

    private final int httpPort;

    private final List<ManagedChannel> channels = new ArrayList<>();

    private final List<Process> clients = new ArrayList<>();

    private SampleProcess(Process process, Path log, int grpcPort, int httpPort) {
        this.process = process;
        this.log = log;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
    }

    /**
     * Starts the jar named by the {@code sample.jar} system property (its gRPC settings
     * under the prefix named by {@code sample.grpc-properties}) and waits until its
     * health is UP.
     */
    static SampleProcess start(String name, String... arguments) throws IOException, InterruptedException {
        int[] ports = freePorts(2);
        return start(name, ports[0], ports[1], arguments);
    }

    /**
     * Starts the sample AOT-processed ({@code -Dspring.aot.enabled=true}); the jar has
     * the AOT code built in.
     */
    static SampleProcess startAot(String name, String... arguments) throws IOException, InterruptedException {
        int[] ports = freePorts(2);
        return start(name, ports[0], ports[1], List.of("-Dspring.aot.enabled=true"), arguments);
    }

    /** Starts the sample with {@code jvmArguments} before its jar. */
    static SampleProcess startWithJvmArguments(String name, List<String> jvmArguments, String... arguments)
            throws IOException, InterruptedException {
        int[] ports = freePorts(2);
        return start(name, ports[0], ports[1], jvmArguments, arguments);
    }

    /** Starts the sample on the given ports, e.g. those of a replica it replaces. */
    static SampleProcess start(String name, int grpcPort, int httpPort, String... arguments)
            throws IOException, InterruptedException {
        return start(name, grpcPort, httpPort, List.of(), arguments);
    }

    private static SampleProcess start(String name, int grpcPort, int httpPort, List<String> jvmArguments,
            String... arguments) throws IOException, InterruptedException {
        List<String> launch = SampleJar.launchArguments();
        Path log = Path.of("target", "e2e-logs", name + ".log");
        Files.createDirectories(log.getParent());
        // grpc.server (net.devh) or spring.grpc.server (Spring Boot 4): where the app
        // takes its port and address.
        String grpcProperties = System.getProperty("sample.grpc-properties", "grpc.server");
        // Its bind host: address, but host on Spring gRPC 1.0, whose address is host and
        // port.
        String hostProperty = System.getProperty("sample.grpc-host-property", "address");
        List<String> command = SampleJar.java();
        command.addAll(jvmArguments);
        command.addAll(launch);
        command.addAll(List.of("--" + grpcProperties + ".port=" + grpcPort,
                "--" + grpcProperties + "." + hostProperty + "=127.0.0.1", "--server.port=" + httpPort,
                "--server.address=127.0.0.1"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SampleProcess sample = new SampleProcess(process, log, grpcPort, httpPort);
        try {
            sample.awaitHealthy(Duration.ofSeconds(60));
        }
        catch (RuntimeException | Error e) {
            sample.close();
            throw e;
        }
        return sample;
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the sample exited with " + process.exitValue() + ":\n" + log());
            }
            if (healthStatus() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the sample did not become healthy within " + timeout + ":\n" + log());
    }

    int grpcPort() {
        return grpcPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** The HTTP status of {@code /actuator/health}, or -1 when nothing listens. */
    int healthStatus() {
        HttpResponse<String> response = get("/actuator/health");
        return response == null ? -1 : response.statusCode();
    }

    /** A GET on the sample's HTTP port, or {@code null} when nothing listens there. */
    HttpResponse<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(5))
            .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (ConnectException e) {
            return null;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A stub on a new channel to the sample's gRPC port. */
    GreeterGrpc.GreeterBlockingStub greeter() {
        return GreeterGrpc.newBlockingStub(newChannel());
    }

    /** A new channel to the sample's gRPC port, shut down on {@link #close()}. */
    ManagedChannel newChannel() {
        ManagedChannel channel = Grpc
            .newChannelBuilderForAddress("127.0.0.1", grpcPort, InsecureChannelCredentials.create())
            .build();
        synchronized (channels) {
            channels.add(channel);
        }
        return channel;
    }

    /**
     * Runs the sample's client from the same jar, as its own process, against this
     * sample; output goes to a file.
     */
    Process client(Path output, String... arguments) throws IOException {
        List<String> command = SampleJar.java();
        command.addAll(List.of("-Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient", "-jar",
                SampleJar.packagedJar().toString(), "--addr", "127.0.0.1:" + grpcPort));
        command.addAll(List.of(arguments));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** Sends SIGTERM, as Kubernetes, systemd or {@code kill} do. */
    void sigterm() {
        process.destroy();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Process process() {
        return process;
    }

    /** Everything the sample has logged so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        synchronized (clients) {
            clients.forEach(Process::destroyForcibly);
        }
        synchronized (channels) {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    /**
     * {@code count} distinct free ports: all are held open together, so none is handed
     * out twice.
     */
    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        }
        finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

}
