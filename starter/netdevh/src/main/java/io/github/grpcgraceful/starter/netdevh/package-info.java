/**
 * The graceful-shutdown starter for Spring Boot 3.5 with net.devh's
 * grpc-server-spring-boot-starter: dependencies only, no code. Adding it is all it takes;
 * the settings ({@code grpc.shutdown.*}) and what they do are in the project's README.
 */
package io.github.grpcgraceful.starter.netdevh;
