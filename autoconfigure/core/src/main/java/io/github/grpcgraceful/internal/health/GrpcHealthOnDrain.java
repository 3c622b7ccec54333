package io.github.grpcgraceful.internal.health;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.github.grpcgraceful.api.DrainStatus;
import io.github.grpcgraceful.internal.engine.DrainParticipant;
import io.github.grpcgraceful.internal.engine.DrainStart;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;

/**
 * Turns the standard gRPC health service ({@code grpc.health.v1}) to NOT_SERVING when the
 * drain starts, while the listener is still open, so that Kubernetes' gRPC probes and
 * health-checking clients see it: the server as a whole ({@code ""}) and each service of
 * the drained servers that reported a status. When the context starts again after the
 * drain, each gets back the status it had. It never puts the health service in its
 * terminal state, which could not be undone and which the gRPC backend enters itself when
 * its health bean is destroyed.
 */
public class GrpcHealthOnDrain implements DrainParticipant {

    private final HealthStatusManager healthStatusManager;

    /**
     * The services this turned NOT_SERVING, with the status each had before; guarded by
     * itself.
     */
    private final Map<String, ServingStatus> turned = new LinkedHashMap<>();

    public GrpcHealthOnDrain(HealthStatusManager healthStatusManager) {
        this.healthStatusManager = healthStatusManager;
    }

    @Override
    public void drainStarted(DrainStart start) {
        Set<String> services = new LinkedHashSet<>();
        services.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
        for (ServerServiceDefinition service : start.services()) {
            services.add(service.getServiceDescriptor().getName());
        }
        synchronized (turned) {
            for (String service : services) {
                ServingStatus before = statusOf(service);
                if (before != null && before != ServingStatus.NOT_SERVING) {
                    turned.put(service, before);
                    healthStatusManager.setStatus(service, ServingStatus.NOT_SERVING);
                }
            }
        }
    }

    @Override
    public void servingResumed(DrainStatus endedDrain) {
        synchronized (turned) {
            turned.forEach(healthStatusManager::setStatus);
            turned.clear();
        }
    }

    @Override
    public String toString() {
        return "gRPC health";
    }

    /**
     * The status the health service reports for {@code service} now, or {@code null} if
     * it knows none.
     */
    private ServingStatus statusOf(String service) {
        BindableService healthService = healthStatusManager.getHealthService();
        if (!(healthService instanceof HealthGrpc.AsyncService health)) {
            return ServingStatus.SERVING;
        }
        // gRPC's health service answers a check at once, on the calling thread.
        ServingStatus[] status = new ServingStatus[1];
        health.check(HealthCheckRequest.newBuilder().setService(service).build(),
                new StreamObserver<HealthCheckResponse>() {
                    @Override
                    public void onNext(HealthCheckResponse response) {
                        status[0] = response.getStatus();
                    }

                    @Override
                    public void onError(Throwable t) {
                        // NOT_FOUND: the service has no status.
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return status[0];
    }

}
