package dev.spool.producer.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.wire.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a live consumer last said about itself (its heartbeat, or its answer to a ping).
 *
 * @param id {@code host/pid}
 * @param host its host name (the container id under Docker)
 * @param pid its OS process id
 * @param queue the queue it consumes (the short name, e.g. {@code default})
 * @param concurrency tasks it runs at once, at most
 * @param version the Spool version it runs
 * @param started when it started
 * @param reported when it made this report, by its own clock
 * @param state {@code running}, {@code paused} or {@code stopping}
 * @param rabbitmq {@code up}, or what is wrong with its broker connection
 * @param tasks the task names it runs
 * @param stats its counters since it started ({@code succeeded}, {@code failed}, ...)
 * @param active the tasks it runs now, the longest-running first
 */
public record WorkerReport(
    String id,
    String host,
    long pid,
    String queue,
    int concurrency,
    String version,
    Instant started,
    Instant reported,
    String state,
    String rabbitmq,
    List<String> tasks,
    Map<String, Long> stats,
    List<ActiveTask> active) {

  /**
   * A task a worker runs now.
   *
   * @param runningMs how long it had run when the report was made
   */
  public record ActiveTask(String id, String name, int attempt, Instant started, long runningMs) {}

  /** Whether the worker says it can take tasks: running, with its broker connection up. */
  public boolean healthy() {
    return state.equals("running") && rabbitmq.equals("up");
  }

  /** How long it has run, as of its report. */
  public Duration uptime() {
    return started == null || reported == null
        ? Duration.ZERO
        : Duration.between(started, reported);
  }

  /**
   * Reads a report as a consumer writes it; a field missing or of the wrong type reads as empty, so
   * that an older or newer consumer's report still lists.
   *
   * @throws SpoolCodecException when {@code json} is not JSON
   */
  public static WorkerReport parse(String json, JsonCodec codec) {
    JsonNode n = codec.tree(json.getBytes(StandardCharsets.UTF_8));
    List<String> tasks = new ArrayList<>();
    n.path("tasks").forEach(t -> tasks.add(t.asText()));
    Map<String, Long> stats = new LinkedHashMap<>();
    n.path("stats").fields().forEachRemaining(e -> stats.put(e.getKey(), e.getValue().asLong()));
    List<ActiveTask> active = new ArrayList<>();
    for (JsonNode a : n.path("active")) {
      active.add(
          new ActiveTask(
              a.path("id").asText(),
              a.path("name").asText(),
              a.path("attempt").asInt(),
              instant(a.path("started")),
              a.path("runningMs").asLong()));
    }
    return new WorkerReport(
        n.path("id").asText(),
        n.path("host").asText(),
        n.path("pid").asLong(),
        n.path("queue").asText(),
        n.path("concurrency").asInt(),
        n.path("version").asText(),
        instant(n.path("started")),
        instant(n.path("reported")),
        n.path("state").asText("unknown"),
        n.path("rabbitmq").asText("unknown"),
        List.copyOf(tasks),
        java.util.Collections.unmodifiableMap(stats),
        List.copyOf(active));
  }

  private static Instant instant(JsonNode n) {
    try {
      return n.isTextual() ? Instant.parse(n.asText()) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
