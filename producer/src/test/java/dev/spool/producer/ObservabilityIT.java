package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.core.TaskFailedException;
import dev.spool.core.metrics.SpoolMeters;
import dev.spool.core.wire.JsonCodec;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import dev.spool.testing.services.OwnServices;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What users watch, against real consumer processes: the metrics a consumer serves after a map, its
 * health when the broker connection is lost, and {@code spool-producer status --json} during a run.
 */
@ExtendWith(SpoolServicesExtension.class)
final class ObservabilityIT {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
  private final HttpClient http = HttpClient.newHttpClient();
  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void metrics_afterAMap_countEveryTaskByNameAndOutcome(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    int port = freePort();
    procs.startConsumers(
        1, false, "--metrics-port", "" + port, "--max-attempts", "2", "--retry-delay", "100ms");
    PrometheusMeterRegistry producerMeters = SpoolMeters.prometheus();
    try (TaskPool pool = TestSpools.pool(env.config(), TaskPoolConfig.defaults(), producerMeters)) {
      List<Long> squares =
          pool.map(
              "square",
              LongStream.range(0, 100).boxed().toList(),
              Long.class,
              new MapOptions(1, Duration.ofMinutes(1)));
      assertEquals(100, squares.size());
      assertEquals(9801L, squares.get(99));
      try {
        pool.apply("fail", "boom", String.class);
        throw new AssertionError("fail should fail");
      } catch (TaskFailedException expected) {
        assertEquals("retries-exhausted", expected.remote().deadLetter());
      }
    }
    String q = "queue=\"" + env.workQueue("tasks") + "\"";
    URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
    // in flight drops to 0 just after the last result is published: wait for it
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sample(get(metrics).body(), "spool_tasks_in_flight{" + q + "}") == 0.0);
    String body = get(metrics).body();
    assertEquals(100.0, sample(body, "spool_tasks_received_total{" + q + ",task=\"square\"}"));
    assertEquals(100.0, sample(body, "spool_tasks_succeeded_total{" + q + ",task=\"square\"}"));
    assertEquals(2.0, sample(body, "spool_tasks_received_total{" + q + ",task=\"fail\"}"));
    assertEquals(2.0, sample(body, "spool_tasks_failed_total{" + q + ",task=\"fail\"}"));
    assertEquals(1.0, sample(body, "spool_tasks_retried_total{" + q + ",task=\"fail\"}"));
    assertEquals(
        1.0,
        sample(
            body,
            "spool_tasks_dead_lettered_total{"
                + q
                + ",reason=\"retries-exhausted\",task=\"fail\"}"));
    assertEquals(
        100.0,
        sample(
            body,
            "spool_task_duration_seconds_count{outcome=\"success\"," + q + ",task=\"square\"}"));
    assertEquals(
        100.0,
        sample(
            body,
            "spool_task_duration_seconds_bucket{outcome=\"success\","
                + q
                + ",task=\"square\",le=\"+Inf\"}"));
    assertEquals(
        2.0,
        sample(
            body,
            "spool_task_duration_seconds_count{outcome=\"failure\"," + q + ",task=\"fail\"}"));
    assertTrue(sample(body, "jvm_threads_live_threads") > 0, "JVM meters are served");

    String p = "queue=\"" + env.workQueue("tasks") + "\"";
    String mine = producerMeters.scrape();
    assertEquals(
        100.0, sample(mine, "spool_producer_tasks_published_total{" + p + ",task=\"square\"}"));
    assertEquals(
        100.0,
        sample(mine, "spool_producer_results_total{" + p + ",status=\"ok\",task=\"square\"}"));
    assertEquals(
        1.0,
        sample(mine, "spool_producer_results_total{" + p + ",status=\"error\",task=\"fail\"}"));
    assertEquals(
        100.0, sample(mine, "spool_producer_round_trip_seconds_count{" + p + ",task=\"square\"}"));
  }

  @Test
  @OwnServices
  void health_isDownOnceTheBrokerConnectionIsLost_andUpAgainAfterRecovery(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    int port = freePort();
    procs.startConsumers(1, false, "--metrics-port", "" + port);
    URI health = URI.create("http://127.0.0.1:" + port + "/health");
    HttpResponse<String> up = get(health);
    assertEquals(200, up.statusCode(), up.body());
    assertEquals(
        "up",
        new JsonCodec().tree(up.body().getBytes(StandardCharsets.UTF_8)).path("status").asText());

    env.faults().closeAllConnections();
    List<HttpResponse<String>> down = new ArrayList<>();
    await()
        .pollInterval(Duration.ofMillis(50))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              HttpResponse<String> r = get(health);
              if (r.statusCode() == 503) down.add(r);
              return !down.isEmpty();
            });
    JsonNode why = new JsonCodec().tree(down.getFirst().body().getBytes(StandardCharsets.UTF_8));
    assertEquals("down", why.path("status").asText());
    assertTrue(
        why.path("components").path("rabbitmq").asText().contains("connection lost"),
        down.getFirst().body());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get(health).statusCode() == 200); // the client recovered by itself
  }

  @Test
  void statusJson_duringARun_reportsReadyUnackedAndConsumersByName(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers =
        procs.startConsumers(
            2, false, "--concurrency", "1", "--prefetch", "1", "--drain-timeout", "1s");
    try (TaskPool pool = TestSpools.pool(env.config())) {
      List<CompletableFuture<Long>> running = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        running.add(pool.applyAsync("sleep", 120_000L, Long.class)); // each holds a consumer
      }
      String host = java.net.InetAddress.getLocalHost().getHostName();
      Set<String> expected =
          consumers.stream()
              .map(p -> "spool-consumer " + host + "/" + p.pid())
              .collect(Collectors.toSet());
      Map<String, JsonNode> last = new HashMap<>();
      // the management API refreshes its figures every 5 s: wait for them to settle
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                JsonNode s = status(env);
                last.put("status", s);
                JsonNode work = queue(s, env.workQueue("tasks"));
                return work != null
                    && work.path("ready").asLong() == 8
                    && work.path("unacked").asLong() == 2
                    && work.path("consumers").asInt() == 2
                    && connections(s, env.workQueue("tasks")).equals(expected);
              });
      JsonNode s = last.get("status");
      assertEquals(env.namespace(), s.path("namespace").asText());
      assertEquals("quorum", queue(s, env.workQueue("tasks")).path("type").asText());
      assertEquals(0, s.path("deadLetters").asLong());
      running.forEach(f -> f.cancel(true));
    }
  }

  @Test
  void jsonLogs_oneObjectPerLine_withTheConsumerAndTheRunningTasksId(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers =
        procs.startConsumers(1, false, "--log-format", "json", "--max-attempts", "1");
    try (TaskPool pool = TestSpools.pool(env.config())) {
      try {
        pool.apply("fail", "for the log", String.class);
        throw new AssertionError("fail should fail");
      } catch (TaskFailedException expected) {
        // logged by the consumer while the task ran
      }
    }
    JsonCodec codec = new JsonCodec();
    String id = "consumer@" + java.net.InetAddress.getLocalHost().getHostName() + "/";
    List<JsonNode> lines = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              lines.clear();
              for (String line : procs.read("consumer-0.err").split("\n")) {
                if (!line.isBlank()) lines.add(codec.tree(line.getBytes(StandardCharsets.UTF_8)));
              }
              return lines.stream()
                  .anyMatch(l -> l.path("formattedMessage").asText().contains("dead-lettered"));
            });
    for (JsonNode line : lines) {
      assertTrue(
          line.path("context").path("properties").path("spool.id").asText().startsWith(id),
          line.toString());
      assertTrue(line.has("level") && line.has("timestamp") && line.has("loggerName"));
    }
    JsonNode failed =
        lines.stream()
            .filter(l -> l.path("formattedMessage").asText().contains("dead-lettered"))
            .findFirst()
            .orElseThrow();
    String task = failed.path("mdc").path("task").asText();
    assertTrue(task.length() > 8, failed.toString());
    assertTrue(
        failed.path("formattedMessage").asText().contains("task " + task), failed.toString());
    assertTrue(consumers.getFirst().isAlive());
  }

  private JsonNode status(SpoolTestEnv env) throws Exception {
    ProcessBuilder pb = procs.producer("status", "--json");
    pb.environment().put("SPOOL_MANAGEMENT_URI", env.managementUri().toString());
    SpoolProcesses.Run run = procs.run(pb, "producer-status");
    assertEquals(0, run.exit(), run.stderr());
    return new JsonCodec().tree(run.stdout().strip().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode queue(JsonNode status, String name) {
    for (JsonNode q : status.path("queues")) {
      if (q.path("name").asText().equals(name)) return q;
    }
    return null;
  }

  private static Set<String> connections(JsonNode status, String queue) {
    Set<String> names = new java.util.HashSet<>();
    for (JsonNode c : status.path("consumers")) {
      if (c.path("queue").asText().equals(queue)) names.add(c.path("connection").asText());
    }
    return names;
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one sample, by its exact name and labels as Prometheus prints them. */
  static double sample(String scrape, String series) {
    Matcher m = SAMPLE.matcher(scrape);
    while (m.find()) {
      String name = m.group(1) + (m.group(2) == null ? "" : m.group(2));
      if (name.equals(series)) return Double.parseDouble(m.group(3));
    }
    throw new AssertionError("no sample " + series + " in:\n" + scrape);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
