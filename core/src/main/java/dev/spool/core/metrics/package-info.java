/**
 * Metrics and health for Spool processes: a Prometheus registry with the JVM's meters ({@link
 * dev.spool.core.metrics.SpoolMeters}), and a small HTTP server for {@code /metrics} and {@code
 * /health} ({@link dev.spool.core.metrics.MetricsServer}).
 */
package dev.spool.core.metrics;
