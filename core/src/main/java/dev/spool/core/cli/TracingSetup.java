package dev.spool.core.cli;

import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Tracing for Spool's commands, from the standard {@code OTEL_*} variables. Off unless one of them
 * asks for traces: {@code OTEL_TRACES_EXPORTER} other than {@code none} ({@code otlp} or {@code
 * console}), or an OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}); {@code OTEL_SDK_DISABLED=true} turns it off whatever else
 * is set. When on, the OpenTelemetry SDK is configured by its own autoconfiguration (so every
 * {@code OTEL_*} variable it knows applies), with Spool's defaults where the variables are silent:
 * the service name is the command's, OTLP goes over HTTP (port 4318; Spool's jars carry no gRPC),
 * and metrics and logs are not exported (Spool's metrics are on {@code /metrics}). The SDK is set
 * as the global OpenTelemetry, so that handlers and the pools they submit from join the trace.
 *
 * <p>Closing flushes the spans not yet exported (for at most 2 s) and shuts the SDK down.
 */
public final class TracingSetup implements AutoCloseable {
  /** Tracing off: nothing configured. */
  static final TracingSetup OFF = new TracingSetup(null, null);

  private final OpenTelemetry openTelemetry;
  private final AutoCloseable sdk;

  private TracingSetup(OpenTelemetry openTelemetry, AutoCloseable sdk) {
    this.openTelemetry = openTelemetry;
    this.sdk = sdk;
  }

  /**
   * Sets up tracing for {@code command} from {@code env}; on a bad setting prints the message
   * naming it to {@code err} and returns null (the command then exits 2).
   */
  public static TracingSetup start(String command, Map<String, String> env, PrintStream err) {
    try {
      return fromEnvironment(command, env);
    } catch (IllegalArgumentException e) {
      err.println(command + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * @throws IllegalArgumentException naming the variable, when the SDK refuses the configuration
   */
  public static TracingSetup fromEnvironment(String command, Map<String, String> env) {
    if (!wanted(env)) return OFF;
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.service.name", command);
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    if (blank(env.get("OTEL_TRACES_EXPORTER"))) properties.put("otel.traces.exporter", "otlp");
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_") && value != null) {
            properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
          }
        });
    for (String key :
        new String[] {"otel.exporter.otlp.protocol", "otel.exporter.otlp.traces.protocol"}) {
      String protocol = properties.get(key);
      if (protocol != null && !protocol.trim().equals("http/protobuf")) {
        throw new IllegalArgumentException(
            key.toUpperCase(Locale.ROOT).replace('.', '_')
                + ": '"
                + protocol
                + "' is not supported by Spool's commands; use http/protobuf (an OTLP endpoint on"
                + " port 4318)");
      }
    }
    return Sdk.start(properties);
  }

  /** True when the variables ask for traces. */
  static boolean wanted(Map<String, String> env) {
    if ("true".equalsIgnoreCase(trim(env.get("OTEL_SDK_DISABLED")))) return false;
    String exporter = trim(env.get("OTEL_TRACES_EXPORTER"));
    if (exporter != null && !exporter.isEmpty()) return !exporter.equalsIgnoreCase("none");
    return !blank(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || !blank(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  }

  /** The OpenTelemetry to trace with, or null when off. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** True when tracing is on. */
  public boolean on() {
    return openTelemetry != null;
  }

  @Override
  public void close() {
    if (sdk == null) return;
    try {
      sdk.close();
    } catch (Exception e) {
      System.err.println("tracing: could not flush the last spans: " + e);
    }
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** The SDK's classes, loaded only when tracing is on: they are optional in the library jars. */
  private static final class Sdk {
    static TracingSetup start(Map<String, String> properties) {
      io.opentelemetry.sdk.OpenTelemetrySdk sdk;
      try {
        sdk =
            io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .setResultAsGlobal()
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
      } catch (io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException e) {
        throw new IllegalArgumentException("tracing (OTEL_* variables): " + e.getMessage(), e);
      }
      String exporter = properties.get("otel.traces.exporter");
      String endpoint =
          properties.getOrDefault(
              "otel.exporter.otlp.traces.endpoint",
              properties.getOrDefault("otel.exporter.otlp.endpoint", "http://localhost:4318"));
      org.slf4j.LoggerFactory.getLogger(TracingSetup.class)
          .info(
              "tracing on: spans of {} exported by {}{}",
              properties.get("otel.service.name"),
              exporter,
              exporter.contains("otlp") ? " to " + endpoint : "");
      return new TracingSetup(
          sdk,
          () -> {
            // Bounded: a collector that is down must not hold a command's exit for long.
            var flushed =
                sdk.getSdkTracerProvider()
                    .forceFlush()
                    .join(2, java.util.concurrent.TimeUnit.SECONDS);
            if (!flushed.isSuccess()) {
              org.slf4j.LoggerFactory.getLogger(TracingSetup.class)
                  .warn("tracing: the last spans could not be exported within 2 s; dropped");
            }
            sdk.shutdown().join(1, java.util.concurrent.TimeUnit.SECONDS);
          });
    }
  }
}
