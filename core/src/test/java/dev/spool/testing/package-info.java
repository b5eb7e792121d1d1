/**
 * Test fixtures shared by the producer, consumer and examples modules through core's test-jar:
 * {@link dev.spool.testing.SpoolServicesExtension} provides real RabbitMQ and Redis and a fresh
 * namespace per test. How the services are found lives in shared-state's test-jar, {@code
 * dev.spool.testing.services}.
 */
package dev.spool.testing;
