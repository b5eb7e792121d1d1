/**
 * Spool's core, what both sides use: configuration, exceptions, dead letters and metrics for users;
 * the wire format, topology and command-line plumbing only for Spool's own producer and consumer
 * modules.
 */
module dev.spool.core {
  requires transitive dev.spool.state;
  requires transitive com.rabbitmq.client;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive micrometer.core;
  requires transitive micrometer.registry.prometheus;
  requires transitive info.picocli;
  requires transitive io.opentelemetry.api;
  requires transitive io.opentelemetry.context;
  // Optional: only Spool's commands configure an SDK (dev.spool.core.cli.TracingSetup).
  requires static io.opentelemetry.sdk;
  requires static io.opentelemetry.sdk.trace;
  requires static io.opentelemetry.sdk.common;
  requires static io.opentelemetry.sdk.autoconfigure;
  requires static io.opentelemetry.sdk.autoconfigure.spi;
  // Optional: only Spool's commands set logback up (dev.spool.core.cli.CommandsLogging).
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;
  requires jdk.httpserver;
  requires jdk.jfr; // dev.spool.core.wire.StageEvents
  requires jdk.unsupported; // sun.misc.Signal: SIGTERM stops a command cleanly, exit 0
  requires org.slf4j;

  exports dev.spool.core;
  exports dev.spool.core.metrics;
  exports dev.spool.core.wire to
      dev.spool.producer,
      dev.spool.consumer;
  exports dev.spool.core.cli to
      dev.spool.producer,
      dev.spool.consumer;

  provides ch.qos.logback.classic.spi.Configurator with
      dev.spool.core.cli.CommandsLogging;

  opens dev.spool.core to
      com.fasterxml.jackson.databind;
  opens dev.spool.core.cli to
      info.picocli;
  opens dev.spool.core.wire to
      com.fasterxml.jackson.databind;
}
