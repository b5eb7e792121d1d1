package dev.spool.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TracingSetupTest {
  @Test
  void wanted_onlyWhenTheVariablesAskForTraces() {
    assertFalse(TracingSetup.wanted(Map.of()));
    assertFalse(TracingSetup.wanted(Map.of("OTEL_SERVICE_NAME", "billing")));
    assertFalse(TracingSetup.wanted(Map.of("OTEL_TRACES_EXPORTER", "none")));
    assertFalse(TracingSetup.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " ")));
    assertTrue(TracingSetup.wanted(Map.of("OTEL_TRACES_EXPORTER", "console")));
    assertTrue(TracingSetup.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
    assertTrue(
        TracingSetup.wanted(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/t")));
    assertFalse(
        TracingSetup.wanted(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "true")));
    assertFalse(
        TracingSetup.wanted(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_TRACES_EXPORTER", "none")));
  }

  @Test
  void start_off_configuresNothing() {
    try (TracingSetup t = TracingSetup.start("spool-test", Map.of(), System.err)) {
      assertFalse(t.on());
      assertNull(t.openTelemetry());
    }
  }

  @Test
  void start_grpc_isRefusedNamingTheVariable() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    TracingSetup t =
        TracingSetup.start(
            "spool-test",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertNull(t);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.startsWith("spool-test: OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc'"), message);
    assertTrue(message.contains("http/protobuf"), message);
  }

  @Test
  void start_unknownExporter_isRefusedNamingTheVariable() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    TracingSetup t =
        TracingSetup.start(
            "spool-test",
            Map.of("OTEL_TRACES_EXPORTER", "zipkin"),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertNull(t);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.startsWith("spool-test: tracing (OTEL_* variables): "), message);
    assertTrue(message.contains("zipkin"), message);
    assertEquals(1, message.lines().count(), message);
  }
}
