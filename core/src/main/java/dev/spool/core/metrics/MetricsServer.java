package dev.spool.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spool.SpoolException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (Prometheus text format) and {@code GET /health} (JSON; 200 when up,
 * 503 when down) on one port, from two daemon threads.
 *
 * <pre>{@code
 * try (MetricsServer server = MetricsServer.start(9400, prometheus, consumer::health)) {
 *   consumer.awaitStopRequest();
 * }
 * }</pre>
 *
 * <p>{@link #close()} is idempotent.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on all interfaces at {@code port} (0 picks a free one; see {@link #port()}).
   *
   * @throws IllegalArgumentException when the port is out of range
   * @throws SpoolException when the port cannot be bound
   */
  public static MetricsServer start(
      int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-port must be 0..65535, was " + port);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new SpoolException(
          "cannot serve metrics on port "
              + port
              + " ("
              + e.getMessage()
              + "); pick another one"
              + " with --metrics-port or SPOOL_METRICS_PORT",
          e);
    }
    // Two threads: a health check waiting on a frozen Redis must not hold up a scrape.
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2, r -> Thread.ofPlatform().daemon().name("spool-metrics").unstarted(r));
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        x -> respond(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext(
        "/health",
        x -> {
          Health h = health.get();
          respond(x, h.up() ? 200 : 503, "application/json", h.toJson());
        });
    server.createContext("/", x -> respond(x, 404, "text/plain", "try /metrics or /health\n"));
    server.start();
    MetricsServer s = new MetricsServer(server, executor);
    log.info("metrics on http://0.0.0.0:{}/metrics, health on /health", s.port());
    return s;
  }

  /** The port served. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange x, int status, String type, String body)
      throws IOException {
    try (x) {
      if (!"GET".equals(x.getRequestMethod()) && !"HEAD".equals(x.getRequestMethod())) {
        x.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(x.getRequestMethod());
      x.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = x.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (RuntimeException e) {
      log.warn("serving {} failed: {}", x.getRequestURI(), e.toString());
      throw e;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
