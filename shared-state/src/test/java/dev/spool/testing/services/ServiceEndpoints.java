package dev.spool.testing.services;

import java.net.URI;

/**
 * Where the integration tests' RabbitMQ and Redis are, and how they were found.
 *
 * @param amqpUri RabbitMQ
 * @param redisUri Redis
 * @param managementUri RabbitMQ's management HTTP API, without credentials (those of amqpUri)
 * @param source {@code environment}, {@code testcontainers} or {@code local}
 * @param faults how to inject faults into them (for the chaos suite)
 */
public record ServiceEndpoints(
    URI amqpUri, URI redisUri, URI managementUri, String source, Faults faults) {}
