package dev.spool.producer;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP trace receiver, as a collector would be: spans exported by Spool's processes (with
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} pointing here) are decoded with the protocol's own classes.
 */
final class OtlpReceiver implements AutoCloseable {
  /** One span as received. {@code parent} is empty for a root; times in epoch nanoseconds. */
  record Received(
      String service,
      String trace,
      String span,
      String parent,
      String name,
      String kind,
      Map<String, String> attributes,
      boolean error,
      List<String> events,
      long start,
      long end) {
    String attribute(String key) {
      return attributes.get(key);
    }
  }

  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  static OtlpReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    OtlpReceiver r = new OtlpReceiver(server);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            r.receive(ExportTraceServiceRequest.parseFrom(in.readAllBytes()));
          }
          byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
          exchange.getResponseBody().write(ok);
          exchange.close();
        });
    server.start();
    return r;
  }

  /** The base URL, for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The variables that point a Spool process's traces here, exported within 100 ms. */
  Map<String, String> environment() {
    return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100");
  }

  List<Received> spans() {
    return List.copyOf(spans);
  }

  /** The spans named {@code name}. */
  List<Received> named(String name) {
    return spans.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The only span named {@code name}; fails listing what came when there is not exactly one. */
  Received one(String name) {
    List<Received> found = named(name);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " spans named '" + name + "' in " + names());
    }
    return found.getFirst();
  }

  String names() {
    return spans.stream().map(Received::name).sorted().collect(Collectors.joining(", ", "[", "]"));
  }

  private void receive(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = attributes(rs.getResource()).get("service.name");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          Map<String, String> attributes = new LinkedHashMap<>();
          for (KeyValue kv : s.getAttributesList())
            attributes.put(kv.getKey(), text(kv.getValue()));
          List<String> events =
              s.getEventsList().stream()
                  .map(
                      e ->
                          e.getName()
                              + " "
                              + e.getAttributesList().stream()
                                  .map(kv -> kv.getKey() + "=" + text(kv.getValue()))
                                  .collect(Collectors.joining(" ")))
                  .toList();
          spans.add(
              new Received(
                  service,
                  hex.formatHex(s.getTraceId().toByteArray()),
                  hex.formatHex(s.getSpanId().toByteArray()),
                  hex.formatHex(s.getParentSpanId().toByteArray()),
                  s.getName(),
                  s.getKind().name().replace("SPAN_KIND_", ""),
                  attributes,
                  s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
                  events,
                  s.getStartTimeUnixNano(),
                  s.getEndTimeUnixNano()));
        }
      }
    }
  }

  private static Map<String, String> attributes(Resource resource) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv : resource.getAttributesList()) m.put(kv.getKey(), text(kv.getValue()));
    return m;
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      default -> v.toString();
    };
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
