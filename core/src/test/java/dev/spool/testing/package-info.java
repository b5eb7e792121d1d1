/**
 * Test fixtures shared by every module through core's test-jar: {@link
 * dev.spool.testing.SpoolServicesExtension} provides real RabbitMQ and Redis and a fresh namespace
 * per test.
 */
package dev.spool.testing;
