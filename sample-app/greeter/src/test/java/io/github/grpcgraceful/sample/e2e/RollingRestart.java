package io.github.grpcgraceful.sample.e2e;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.grpcgraceful.sample.greeter.GreeterGrpc;
import io.github.grpcgraceful.sample.greeter.HelloRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;

/**
 * A rolling restart as Kubernetes does one, behind a real load balancer: replicas of the
 * packaged sample behind HAProxy, steady load from several clients on long-lived channels
 * to HAProxy, and each replica in turn gets SIGTERM, exits, and is replaced by a new one
 * on the same ports. Every process it starts is ended, also when it fails. What happened
 * is written as CSV under {@code target/rolling-restart/} for the chart in the README.
 */
final class RollingRestart {

    /**
     * Two in {@code verify}, which keeps one serving while the other restarts; the
     * figures in docs/performance.md were measured with {@code -Drolling.replicas=3}.
     */
    static final int REPLICAS = Integer.getInteger("rolling.replicas", 2);

    private static final int CLIENTS = 4;

    private static final Duration MAX_LOAD = Duration.ofSeconds(150);

    /**
     * HAProxy's retries of failed connections: none, so that every failure reaches the
     * clients, unless {@code -Drolling.haproxy-retries} asks for some (then with
     * redispatch, as most load balancers retry).
     */
    private static final int HAPROXY_RETRIES = Integer.getInteger("rolling.haproxy-retries", 0);

    private static final Pattern IN_FLIGHT = Pattern.compile("\"inFlight\":(\\d+)");

    /** A replica's log line at the end of an evidence-based drain-delay. */
    private static final Pattern DELAY_ENDED = Pattern
        .compile("drain-delay ended (on evidence after ([0-9.]+) s|at its maximum)");

    /**
     * The counts of one run, how long the rollout took (from the first SIGTERM to the
     * last replacement in rotation), and how each replica's evidence-based drain-delay
     * ended ({@code "maximum"}, or the seconds it took on evidence; empty with a fixed
     * delay).
     */
    record Result(String mode, int succeeded, int failed, Map<String, Integer> failures, Duration rollout,
            List<String> delays, Path data) {

        @Override
        public String toString() {
            return "rolling restart [" + mode + "]: " + (succeeded + failed) + " calls, " + failed + " failed "
                    + failures + ", rollout " + rollout.toMillis() / 1000.0 + " s"
                    + (delays.isEmpty() ? "" : ", drain-delays " + delays) + " (data in " + data + ")";
        }
    }

    private record Call(long endMillis, Status.Code code) {
    }

    private record Sample(long millis, int replica, int readiness, int inFlight, String balancer) {
    }

    private record Event(long millis, int replica, String what) {
    }

    /** How each replica's evidence-based drain-delay ended, in restart order. */
    private final ConcurrentLinkedQueue<String> delays = new ConcurrentLinkedQueue<>();

    private final String mode;

    private final String[] sampleArguments;

    private final long startNanos = System.nanoTime();

    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();

    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    private final SampleProcess[] replicas = new SampleProcess[REPLICAS];

    private final AtomicBoolean running = new AtomicBoolean(true);

    private RollingRestart(String mode, String[] sampleArguments) {
        this.mode = mode + (HAPROXY_RETRIES == 0 ? "" : "-haproxy-retries-" + HAPROXY_RETRIES);
        this.sampleArguments = sampleArguments;
    }

    /**
     * Runs one rolling restart of replicas started with {@code sampleArguments};
     * {@code mode} names the run.
     */
    static Result run(String mode, String... sampleArguments) throws Exception {
        return new RollingRestart(mode, sampleArguments).run();
    }

    private Result run() throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
        Haproxy haproxy = null;
        try {
            List<Haproxy.Replica> servers = new ArrayList<>();
            int[] ports = SampleProcess.freePorts(2 * REPLICAS);
            for (int i = 0; i < REPLICAS; i++) {
                replicas[i] = SampleProcess.start(name(i, 1), ports[2 * i], ports[2 * i + 1], sampleArguments);
                servers.add(new Haproxy.Replica("r" + i, replicas[i].grpcPort(), replicas[i].httpPort()));
            }
            haproxy = Haproxy.start(jarName() + "-" + mode, servers, HAPROXY_RETRIES);
            for (int i = 0; i < REPLICAS; i++) {
                haproxy.awaitUp("r" + i, Duration.ofSeconds(30));
            }
            Haproxy balancer = haproxy;
            threads.submit(() -> monitor(balancer));
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                ManagedChannel channel = Grpc
                    .newChannelBuilderForAddress("127.0.0.1", haproxy.port(), InsecureChannelCredentials.create())
                    .build();
                channels.add(channel);
                int client = c;
                clients.add(threads.submit(() -> load(channel, client)));
            }

            // Events rather than fixed sleeps: load through all replicas first, and after
            // each restart load that
            // the replaced replica, back in rotation, takes its share of.
            awaitCalls(100);
            for (int i = 0; i < REPLICAS; i++) {
                restart(i, haproxy);
                awaitCalls(50);
            }

            running.set(false);
            for (Future<?> client : clients) {
                client.get(30, TimeUnit.SECONDS);
            }
            return result(write());
        }
        finally {
            running.set(false);
            threads.shutdownNow();
            channels.forEach(ManagedChannel::shutdownNow);
            for (SampleProcess replica : replicas) {
                if (replica != null) {
                    replica.close();
                }
            }
            if (haproxy != null) {
                haproxy.close();
            }
        }
    }

    /**
     * SIGTERM, wait for the exit, start the replacement on the same ports, wait until
     * HAProxy sends it traffic.
     */
    private void restart(int i, Haproxy haproxy) throws Exception {
        SampleProcess old = replicas[i];
        event(i, "SIGTERM");
        old.sigterm();
        if (!old.awaitExit(Duration.ofSeconds(90))) {
            throw new AssertionError("replica " + i + " did not exit:\n" + old.log());
        }
        event(i, "exited");
        Matcher delay = DELAY_ENDED.matcher(old.log());
        if (delay.find()) {
            delays.add((delay.group(2) != null) ? delay.group(2) : "maximum");
        }
        replicas[i] = SampleProcess.start(name(i, 2), old.grpcPort(), old.httpPort(), sampleArguments);
        event(i, "started");
        haproxy.awaitUp("r" + i, Duration.ofSeconds(30));
        event(i, "in rotation");
    }

    /**
     * Waits until {@code count} more calls have ended (successfully or not) through the
     * load balancer.
     */
    private void awaitCalls(int count) throws InterruptedException {
        int target = calls.size() + count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (calls.size() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the clients made fewer than " + count + " calls in 30 s");
            }
            Thread.sleep(10);
        }
    }

    private void load(ManagedChannel channel, int client) {
        GreeterGrpc.GreeterBlockingStub greeter = GreeterGrpc.newBlockingStub(channel);
        long stopAt = System.nanoTime() + MAX_LOAD.toNanos();
        for (int i = 0; running.get() && System.nanoTime() < stopAt; i++) {
            Status.Code code = Status.Code.OK;
            try {
                greeter.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .sayHello(HelloRequest.newBuilder().setName("c" + client + "-" + i).setDuration("20ms").build());
            }
            catch (io.grpc.StatusRuntimeException e) {
                code = e.getStatus().getCode();
            }
            calls.add(new Call(millis(), code));
        }
    }

    /**
     * Every 100 ms: each replica's readiness, its calls in flight, and what HAProxy
     * thinks of it.
     */
    private void monitor(Haproxy haproxy) {
        while (running.get()) {
            for (int i = 0; i < REPLICAS; i++) {
                samples.add(sample(i, haproxy));
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One replica as seen now; a replica that is stopping or starting may answer nothing,
     * or not in time.
     */
    private Sample sample(int i, Haproxy haproxy) {
        int readiness = 0;
        int inFlight = 0;
        try {
            HttpResponse<String> ready = replicas[i].get("/actuator/health/readiness");
            HttpResponse<String> report = replicas[i].get("/actuator/grpcshutdown");
            readiness = ready == null ? 0 : ready.statusCode();
            Matcher count = report == null ? null : IN_FLIGHT.matcher(report.body());
            inFlight = count != null && count.find() ? Integer.parseInt(count.group(1)) : 0;
        }
        catch (RuntimeException e) {
            // Counted as not ready, nothing in flight.
        }
        return new Sample(millis(), i, readiness, inFlight, haproxy.status("r" + i));
    }

    private Path write() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "rolling-restart", jarName() + "-" + mode));
        List<String> callLines = new ArrayList<>(List.of("end_ms,code"));
        calls.forEach(call -> callLines.add(call.endMillis() + "," + call.code()));
        Files.write(dir.resolve("calls.csv"), callLines);
        List<String> sampleLines = new ArrayList<>(List.of("t_ms,replica,readiness_http,in_flight,haproxy"));
        samples.forEach(s -> sampleLines
            .add(s.millis() + "," + s.replica() + "," + s.readiness() + "," + s.inFlight() + "," + s.balancer()));
        Files.write(dir.resolve("replicas.csv"), sampleLines);
        List<String> eventLines = new ArrayList<>(List.of("t_ms,replica,event"));
        events.forEach(e -> eventLines.add(e.millis() + "," + e.replica() + "," + e.what()));
        Files.write(dir.resolve("events.csv"), eventLines);
        return dir;
    }

    private Result result(Path data) {
        int succeeded = 0;
        Map<String, Integer> failures = new TreeMap<>();
        for (Call call : calls) {
            if (call.code() == Status.Code.OK) {
                succeeded++;
            }
            else {
                failures.merge(call.code().name(), 1, Integer::sum);
            }
        }
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        long firstSigterm = events.stream()
            .filter(e -> e.what().equals("SIGTERM"))
            .mapToLong(Event::millis)
            .min()
            .orElse(0);
        long lastInRotation = events.stream()
            .filter(e -> e.what().equals("in rotation"))
            .mapToLong(Event::millis)
            .max()
            .orElse(firstSigterm);
        Result result = new Result(mode, succeeded, failed, failures, Duration.ofMillis(lastInRotation - firstSigterm),
                List.copyOf(delays), data);
        System.out.println(result);
        return result;
    }

    private void event(int replica, String what) {
        events.add(new Event(millis(), replica, what));
    }

    private long millis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private String name(int replica, int generation) {
        return "rolling-" + mode + "-r" + replica + "-" + generation;
    }

    /**
     * The sample's jar, without its version: which sample (Spring Boot 4 or net.devh)
     * ran.
     */
    private static String jarName() {
        String jar = Path.of(System.getProperty("sample.jar", "sample")).getFileName().toString();
        return jar.replaceAll("-\\d.*$", "");
    }

}
