package dev.spool.bench;

import com.rabbitmq.client.AMQP;
import com.sun.net.httpserver.HttpServer;
import dev.spool.core.wire.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/HTTP endpoint that answers and drops what it gets, for measuring tracing switched on
 * without a collector's own cost; and the cost of tracing's hooks when it is off.
 */
final class TracingSink implements AutoCloseable {
  private final HttpServer server;
  private final AtomicLong bytes = new AtomicLong();
  private final OpenTelemetrySdk sdk;

  private TracingSink(HttpServer server) {
    this.server = server;
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(
                        BatchSpanProcessor.builder(
                                OtlpHttpSpanExporter.builder()
                                    .setEndpoint(endpoint() + "/v1/traces")
                                    .build())
                            .build())
                    .build())
            .setPropagators(
                io.opentelemetry.context.propagation.ContextPropagators.create(
                    io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()))
            .build();
  }

  static TracingSink start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    TracingSink sink = new TracingSink(server);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            sink.bytes.addAndGet(in.readAllBytes().length);
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    return sink;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The variables that turn a consumer's tracing on, exporting here. */
  Map<String, String> environment() {
    return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint());
  }

  /** This process's own tracing, exporting here. */
  OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** Bytes of spans received so far. */
  long spans() {
    return bytes.get();
  }

  /**
   * The CPU, in nanoseconds, that tracing's hooks take per task when it is off: what a producer and
   * a consumer call for one task (the checks, the publish and process calls returning their no-op
   * values, the run's end), timed on this thread after a warm-up.
   */
  static double offPathNanosPerTask() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Tracing off = Tracing.OFF;
    Map<String, Object> headers = new HashMap<>();
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(headers).build();
    int n = 5_000_000;
    long sink = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        if (off.on()) sink++; // the producer's check
        Span span = off.publish("square", "id", "q", 1, headers);
        if (span.getSpanContext().isValid()) sink++;
        Tracing.Run run = off.process(props, "square", "id", "q", 1, "w");
        if (off.on()) sink++; // the consumer's check when it settles
        run.outcome("success", null);
        run.close();
      }
      long spent = threads.getCurrentThreadCpuTime() - t0;
      if (round == 1) {
        if (sink != 0) throw new IllegalStateException("tracing off traced");
        return (double) spent / n;
      }
    }
    throw new AssertionError();
  }

  @Override
  public void close() {
    sdk.close();
    server.stop(0);
  }
}
