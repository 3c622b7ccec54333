package io.github.grpcgraceful.internal.engine;

import static io.github.grpcgraceful.testing.GrpcApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import io.github.grpcgraceful.api.DrainState;
import io.github.grpcgraceful.internal.health.GrpcHealthOnDrain;
import io.github.grpcgraceful.internal.health.ReadinessOnDrain;
import io.github.grpcgraceful.internal.inflight.InFlightCallTracker;
import io.github.grpcgraceful.internal.inflight.MethodPatterns;
import io.github.grpcgraceful.internal.metrics.GrpcShutdownMetrics;
import io.github.grpcgraceful.internal.clock.ManualDrainClock;
import io.github.grpcgraceful.testing.StreamProbe;
import io.github.grpcgraceful.testing.TextMethods;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The starter's own participants on the engine and its manual clock: readiness, gRPC
 * health (a real health service, asked by a real client) and the meters turn the moment
 * the drain starts, stay turned for the whole drain-delay and grace period however long
 * those are, and the drain's timer records the time that passed on the clock; a resume
 * turns readiness and gRPC health back.
 */
class ParticipantsOnTheEngineTest {

    private static final MethodDescriptor<String, String> HOLD = TextMethods.method("test.Hold", "Hold",
            MethodDescriptor.MethodType.UNARY);

    private final ManualDrainClock clock = new ManualDrainClock();

    private final InFlightCallTracker tracker = new InFlightCallTracker();

    private final HealthStatusManager health = new HealthStatusManager();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The readiness states published, in order. */
    private final List<ReadinessState> readiness = new CopyOnWriteArrayList<>();

    private final ConcurrentHashMap<String, StreamObserver<String>> held = new ConcurrentHashMap<>();

    private Server server;

    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void readinessGrpcHealthAndTheMetersTurnForTheWholeDrainAndBackOnResume() throws Exception {
        ServerServiceDefinition held = ServerServiceDefinition.builder("test.Hold")
            .addMethod(HOLD, ServerCalls.asyncUnaryCall(this.held::put))
            .build();
        String name = InProcessServerBuilder.generateName();
        this.server = InProcessServerBuilder.forName(name)
            .addService(held)
            .addService(this.health.getHealthService())
            .intercept(this.tracker)
            .build()
            .start();
        this.channel = InProcessChannelBuilder.forName(name).build();
        this.health.setStatus("test.Hold", ServingStatus.SERVING);
        ServersTarget target = new ServersTarget();
        target.register(this.server, null);
        DrainPolicy policy = new DrainPolicy(Duration.ofSeconds(20), Duration.ofSeconds(60), MethodPatterns.none());
        GrpcShutdownMetrics metrics = new GrpcShutdownMetrics(this.registry, this.tracker, target::services,
                () -> policy);
        metrics.onContextRefreshed(null);
        ReadinessOnDrain readinessOnDrain = new ReadinessOnDrain((event) -> {
            if (event instanceof AvailabilityChangeEvent<?> change
                    && change.getState() instanceof ReadinessState state) {
                this.readiness.add(state);
            }
        }, null);
        DrainEngine engine = new DrainEngine(this.tracker, () -> policy, target,
                List.of(readinessOnDrain, new GrpcHealthOnDrain(this.health), metrics), this.clock);
        StreamProbe<String> call = new StreamProbe<>();
        ClientCalls.asyncUnaryCall(this.channel.newCall(HOLD, CallOptions.DEFAULT), "slow", call);
        await(() -> this.held.containsKey("slow"), Duration.ofSeconds(10));
        assertThat(this.registry.get("grpc.server.calls.active").tag("method", "Hold").gauge().value()).isEqualTo(1);

        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> engine.drain(true));

        await(() -> this.readiness.contains(ReadinessState.REFUSING_TRAFFIC), Duration.ofSeconds(10));
        await(() -> grpcHealth("") == ServingStatus.NOT_SERVING, Duration.ofSeconds(10));
        assertThat(grpcHealth("test.Hold")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(engine.status().state()).as("all within the drain-delay").isEqualTo(DrainState.DELAYING);
        this.clock.advance(Duration.ofSeconds(20));
        await(() -> engine.status().state() == DrainState.DRAINING, Duration.ofSeconds(10));
        this.clock.advance(Duration.ofSeconds(59));
        assertThat(this.readiness).as("turned once, and still").containsExactly(ReadinessState.REFUSING_TRAFFIC);
        assertThat(call.closed()).isNotDone();
        this.clock.advance(Duration.ofSeconds(1));

        assertThat(call.closed().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        drained.get(10, TimeUnit.SECONDS);
        await(() -> this.registry.get("grpc.server.drain.duration").tag("outcome", "forced").timer().count() == 1,
                Duration.ofSeconds(10));
        assertThat(this.registry.get("grpc.server.drain.duration")
            .tag("outcome", "forced")
            .timer()
            .totalTime(TimeUnit.SECONDS)).as("the time that passed on the clock").isEqualTo(80);
        assertThat(this.registry.get("grpc.server.drain.ended.calls").counter().count()).isEqualTo(1);
        assertThat(this.registry.get("grpc.server.drain.budget").timeGauge().value(TimeUnit.SECONDS))
            .as("drain-delay and grace period")
            .isEqualTo(80);
        assertThat(this.registry.get("grpc.server.drain.delay").tag("end", "fixed").timer().totalTime(TimeUnit.SECONDS))
            .isEqualTo(20);
        assertThat(this.registry.get("grpc.server.calls.active").tag("method", "Hold").gauge().value()).isZero();

        engine.resume();
        // As a lifecycle restart does: a new server, with the same health service.
        this.channel.shutdownNow();
        String next = InProcessServerBuilder.generateName();
        this.server = InProcessServerBuilder.forName(next).addService(this.health.getHealthService()).build().start();
        this.channel = InProcessChannelBuilder.forName(next).build();

        assertThat(this.readiness).containsExactly(ReadinessState.REFUSING_TRAFFIC, ReadinessState.ACCEPTING_TRAFFIC);
        assertThat(grpcHealth("")).isEqualTo(ServingStatus.SERVING);
        assertThat(grpcHealth("test.Hold")).isEqualTo(ServingStatus.SERVING);
    }

    /** What the health service answers now for {@code service}, as a client asks it. */
    private ServingStatus grpcHealth(String service) {
        return HealthGrpc.newBlockingStub(this.channel)
            .check(HealthCheckRequest.newBuilder().setService(service).build())
            .getStatus();
    }

}
