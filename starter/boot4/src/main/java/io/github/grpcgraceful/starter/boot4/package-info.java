/**
 * The graceful-shutdown starter for Spring Boot 4.1 with its built-in gRPC server:
 * dependencies only, no code. Adding it is all it takes; the settings
 * ({@code grpc.shutdown.*}) and what they do are in the project's README.
 */
package io.github.grpcgraceful.starter.boot4;
