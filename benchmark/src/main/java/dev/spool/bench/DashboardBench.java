package dev.spool.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.Topology;
import dev.spool.state.SharedStateConfig;
import dev.spool.state.internal.RedisState;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast the dashboard answers at scale: {@code MESSAGES} tasks queued, {@code CONSUMERS}
 * consumers attached (each an AMQP connection holding one unacked task, and a worker report in
 * Redis), then the overview and workers API timed over HTTP against a real {@code spool-dashboard}
 * process, each request after the dashboard's 1 s status cache has expired, so every one reads the
 * management API and Redis afresh.
 *
 * <p>Usage: {@code bin/spool-bench-dashboard [MESSAGES] [CONSUMERS]} (default 1,000,000 and 50).
 */
public final class DashboardBench {
  private DashboardBench() {}

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int consumers = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    String ns = "bench-dash-" + UUID.randomUUID().toString().substring(0, 8);
    SpoolConfig config = SpoolConfig.builderFromEnvironment(System.getenv()).namespace(ns).build();
    List<Connection> connections = new ArrayList<>();
    Process dashboard = null;
    try (RedisState state =
        RedisState.connect(
            SharedStateConfig.builder()
                .redisUri(config.redisUri().toString())
                .namespace(ns)
                .build())) {
      Topology topology = new Topology(config);
      Connection main = new AmqpConnector(config).open("spool-bench-dashboard");
      connections.add(main);
      String queue;
      try (Channel ch = main.createChannel()) {
        queue = topology.declareWorkQueue(ch, "tasks");
      }
      long t0 = System.nanoTime();
      publish(main, queue, messages);
      System.out.printf(
          Locale.ROOT, "queued %,d tasks in %.1f s%n", messages, (System.nanoTime() - t0) / 1e9);
      for (int i = 0; i < consumers; i++) {
        Connection c = new AmqpConnector(config).open("spool-consumer bench/" + i);
        connections.add(c);
        Channel ch = c.createChannel();
        ch.basicQos(1);
        ch.basicConsume(queue, false, "bench-" + i, new DefaultConsumer(ch));
        state.workers().beat("bench/" + i, report(i), Duration.ofMinutes(10));
      }
      System.out.printf(
          "%d consumers attached, each holding one task, each with a report%n", consumers);

      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = Files.createTempFile("spool-dashboard", ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  System.getProperty("spool.dashboard.launcher", "bin/spool-dashboard"),
                  "--port",
                  Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("SPOOL_NAMESPACE", ns);
      pb.environment().put("SPOOL_DASHBOARD_PASSWORD", "bench-password");
      dashboard = pb.start();
      String base = "http://127.0.0.1:" + port;
      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      String cookie = login(http, base, log);
      // Wait until the management API counts every message (it refreshes every 5 s).
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!get(http, base + "/api/overview", cookie)
              .contains("\"ready\":" + (messages - consumers))
          && System.nanoTime() < deadline) {
        Thread.sleep(1000);
      }
      Matcher ready =
          Pattern.compile("\"role\":\"work\",\"type\":\"\\w+\",\"ready\":(\\d+)")
              .matcher(get(http, base + "/api/overview", cookie));
      System.out.printf(
          "the overview counts %s tasks ready in the work queue%n",
          ready.find() ? ready.group(1) : "no");
      time(
          http, base + "/api/overview", cookie, 20, "overview (queues, consumers, locks, objects)");
      time(http, base + "/api/workers", cookie, 20, "workers (" + consumers + " reports)");
      time(http, base + "/", cookie, 20, "the page itself");
    } finally {
      if (dashboard != null) dashboard.destroy();
      for (Connection c : connections) {
        try {
          c.close();
        } catch (Exception e) {
          // closing anyway
        }
      }
      try (Connection c = new AmqpConnector(config).open("spool-bench-dashboard cleanup");
          Channel ch = c.createChannel()) {
        for (String q : new Topology(config).queuesOf("tasks")) ch.queueDelete(q);
      }
      try (var jedis = new redis.clients.jedis.Jedis(config.redisUri())) {
        for (String k : jedis.keys(ns + ":*")) jedis.del(k);
      }
    }
  }

  private static void publish(Connection c, String queue, int n) throws Exception {
    try (Channel ch = c.createChannel()) {
      ch.confirmSelect();
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .deliveryMode(2)
              .contentType("application/json")
              .type("square")
              .build();
      byte[] body = "[7]".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < n; i++) {
        ch.basicPublish("", queue, props, body);
        if (i % 5000 == 4999) ch.waitForConfirmsOrDie(60_000);
      }
      ch.waitForConfirmsOrDie(60_000);
    }
  }

  private static String report(int i) {
    return "{\"id\":\"bench/"
        + i
        + "\",\"host\":\"bench\",\"pid\":"
        + i
        + ",\"queue\":\"tasks\",\"concurrency\":4,\"version\":\"bench\",\"state\":\"running\","
        + "\"rabbitmq\":\"up\",\"tasks\":[\"square\"],\"stats\":{\"succeeded\":0,\"failed\":0},"
        + "\"active\":[{\"id\":\"t"
        + i
        + "\",\"name\":\"square\",\"attempt\":1,\"started\":\"2026-12-02T08:00:00Z\",\"runningMs\":5}]}";
  }

  private static String login(HttpClient http, String base, Path log) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                    .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=bench-password"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m =
            Pattern.compile("spool_session=([^;]+)")
                .matcher(r.headers().firstValue("Set-Cookie").orElse(""));
        if (m.find()) return "spool_session=" + m.group(1);
        throw new IllegalStateException("login failed: HTTP " + r.statusCode() + " " + r.body());
      } catch (java.net.ConnectException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the dashboard did not start: " + Files.readString(log));
        }
        Thread.sleep(250);
      }
    }
  }

  private static String get(HttpClient http, String url, String cookie) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void time(HttpClient http, String url, String cookie, int n, String what)
      throws Exception {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread.sleep(1100); // past the dashboard's 1 s status cache
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
              HttpResponse.BodyHandlers.ofString());
      ms.add((System.nanoTime() - t0) / 1e6);
      if (r.statusCode() != 200) throw new IllegalStateException(url + ": HTTP " + r.statusCode());
    }
    List<Double> sorted = ms.stream().sorted().toList();
    System.out.printf(
        Locale.ROOT,
        "%-48s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  (%d requests)%n",
        what,
        sorted.get(n / 2),
        sorted.get((int) Math.ceil(n * 0.95) - 1),
        sorted.get(n - 1),
        n);
  }
}
