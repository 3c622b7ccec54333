package com.example.consumer;

import net.devh.boot.grpc.server.service.GrpcService;

/** net.devh serves the beans it finds by this annotation. */
@GrpcService
public class NetDevhSleepService extends SleepService {
}
