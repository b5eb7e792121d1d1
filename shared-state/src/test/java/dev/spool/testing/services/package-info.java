/**
 * How integration tests find their services, shared by every module through shared-state's
 * test-jar: {@link dev.spool.testing.services.ServiceLocator} finds RabbitMQ and Redis, {@link
 * dev.spool.testing.services.StateServicesExtension} gives a test Redis and a fresh namespace;
 * core's test-jar adds {@code SpoolServicesExtension} for both services.
 */
package dev.spool.testing.services;
