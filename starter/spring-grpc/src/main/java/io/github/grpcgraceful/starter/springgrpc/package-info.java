/**
 * The graceful-shutdown starter for Spring Boot 4.0 with Spring gRPC 1.0: dependencies
 * only, no code. Adding it is all it takes; the settings ({@code grpc.shutdown.*}) and
 * what they do are in the project's README.
 */
package io.github.grpcgraceful.starter.springgrpc;
