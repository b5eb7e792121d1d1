package dev.spool.testing;

import java.net.URI;

/**
 * Where the integration tests' RabbitMQ and Redis are, and how they were found.
 *
 * @param amqpUri RabbitMQ
 * @param redisUri Redis
 * @param source {@code environment}, {@code testcontainers} or {@code local}
 * @param faults how to inject faults into them (for the chaos suite)
 */
record ServiceEndpoints(URI amqpUri, URI redisUri, String source, Faults faults) {}
