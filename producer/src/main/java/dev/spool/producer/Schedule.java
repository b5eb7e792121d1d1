package dev.spool.producer;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.core.wire.Topology;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A periodic schedule: task {@code task} on input {@code input}, on a cron expression or every
 * fixed period, published to work queue {@code queue} at each occurrence. Immutable; each {@code
 * with} returns a copy. Stored in Redis by {@link Schedules}, fired by a running {@link Scheduler}.
 *
 * <pre>{@code
 * Schedules schedules = spool.schedules();
 * schedules.add(
 *     Schedule.cron("nightly-report", "0 2 * * *", "report", Map.of("day", "yesterday"))
 *         .withZone(java.time.ZoneId.of("Europe/Paris")));
 * schedules.add(Schedule.every("heartbeat", Duration.ofMinutes(5), "ping", null));
 * }</pre>
 *
 * <p>Cron expressions have the five UNIX fields (minute, hour, day of month, month, day of week)
 * and are read by cron-utils, in the schedule's time zone (UTC unless set): on the day a clock goes
 * forward, a time that does not exist that day (02:30 in Paris on the last Sunday of March) is
 * skipped, as cron-utils defines it; on the day it goes back, a time that happens twice fires once.
 * A fixed period {@code every} falls on multiples of the period since 1970-01-01T00:00Z (every
 * hour: on the hour, UTC), so every scheduler agrees on it without storing a start.
 *
 * @param name 1 to 128 letters, digits, '.', '-', '_'
 * @param task the task name
 * @param input the task's input as JSON (a JSON null for none)
 * @param cron the cron expression, or null for a fixed period
 * @param every the fixed period (1 s to 366 days), or null for a cron expression
 * @param zone the time zone the cron expression is read in
 * @param queue the work queue its tasks go to
 * @param missed what to do with occurrences missed while no scheduler ran
 * @param paused true while its occurrences are skipped
 */
public record Schedule(
    String name,
    String task,
    JsonNode input,
    String cron,
    Duration every,
    ZoneId zone,
    String queue,
    Missed missed,
    boolean paused) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** Shortest fixed period. */
  public static final Duration MIN_EVERY = Duration.ofSeconds(1);

  /** Longest fixed period. */
  public static final Duration MAX_EVERY = Duration.ofDays(366);

  /**
   * How late an occurrence may still fire as itself: one found later than this (no scheduler ran at
   * its time) is handled by the schedule's {@link Missed} policy.
   */
  public static final Duration MISFIRE_GRACE = Duration.ofMinutes(1);

  /** What to do with occurrences missed (due more than {@link #MISFIRE_GRACE} ago). */
  public enum Missed {
    /** Fire one occurrence for all those missed, at once, then go on (the default). */
    ONCE,
    /** Fire none of them; go on from the next one due. */
    SKIP
  }

  public Schedule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "schedule name '" + name + "' is invalid; use 1 to 128 letters, digits, '.', '-' or '_'");
    }
    try {
      dev.spool.Names.taskName(task);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schedule '" + name + "': " + e.getMessage(), e);
    }
    input = input == null ? JSON.nullNode() : input;
    if ((cron == null) == (every == null)) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': give either a cron expression or a fixed period, not both");
    }
    if (every != null && (every.compareTo(MIN_EVERY) < 0 || every.compareTo(MAX_EVERY) > 0)) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': the period " + every + " is not between 1s and 366d");
    }
    if (cron != null) parseCron(name, cron);
    zone = zone == null ? ZoneOffset.UTC : zone;
    queue = Topology.requireQueueName(queue == null ? Topology.DEFAULT_QUEUE : queue);
    missed = missed == null ? Missed.ONCE : missed;
  }

  /**
   * A schedule on a five-field UNIX cron expression, read in UTC; {@link #withZone} for another.
   *
   * @param input anything Jackson writes as JSON, or null
   * @throws IllegalArgumentException for a bad name or expression, saying what is wrong
   */
  public static Schedule cron(String name, String expression, String task, Object input) {
    return new Schedule(
        name, task, toJson(input), expression, null, null, null, Missed.ONCE, false);
  }

  /** A schedule every {@code period} (1 s to 366 days), on multiples of it since the epoch. */
  public static Schedule every(String name, Duration period, String task, Object input) {
    return new Schedule(name, task, toJson(input), null, period, null, null, Missed.ONCE, false);
  }

  public Schedule withZone(ZoneId zone) {
    return new Schedule(name, task, input, cron, every, zone, queue, missed, paused);
  }

  public Schedule withQueue(String queue) {
    return new Schedule(name, task, input, cron, every, zone, queue, missed, paused);
  }

  public Schedule withMissed(Missed missed) {
    return new Schedule(name, task, input, cron, every, zone, queue, missed, paused);
  }

  public Schedule withPaused(boolean paused) {
    return new Schedule(name, task, input, cron, every, zone, queue, missed, paused);
  }

  /** The first occurrence strictly after {@code t}, or null when there is none. */
  public Instant nextAfter(Instant t) {
    if (every != null) {
      long p = every.toMillis();
      long ms = t.toEpochMilli();
      return Instant.ofEpochMilli(Math.floorDiv(ms, p) * p + p);
    }
    return ExecutionTime.forCron(parseCron(name, cron))
        .nextExecution(ZonedDateTime.ofInstant(t, zone))
        .map(ZonedDateTime::toInstant)
        .orElse(null);
  }

  /** The last occurrence at or before {@code t}, or null when there is none. */
  public Instant lastAtOrBefore(Instant t) {
    if (every != null) {
      long p = every.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), p) * p);
    }
    ExecutionTime et = ExecutionTime.forCron(parseCron(name, cron));
    ZonedDateTime at = ZonedDateTime.ofInstant(t, zone);
    if (et.isMatch(at.withNano(0)) && at.getSecond() == 0 && at.getNano() == 0) {
      return at.toInstant();
    }
    return et.lastExecution(at).map(ZonedDateTime::toInstant).orElse(null);
  }

  /** {@code cron '0 2 * * *' Europe/Paris} or {@code every 5m}. */
  public String describe() {
    if (every != null) return "every " + dev.spool.Durations.format(every);
    return "cron '" + cron + "'" + (zone.equals(ZoneOffset.UTC) ? "" : " " + zone.getId());
  }

  /** The schedule as stored in Redis. */
  String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("task", task);
    o.set("input", input);
    if (cron != null) o.put("cron", cron);
    if (every != null) o.put("everyMs", every.toMillis());
    o.put("zone", zone.getId());
    o.put("queue", queue);
    o.put("missed", missed.name());
    o.put("paused", paused);
    return o.toString();
  }

  /**
   * @throws IllegalArgumentException when {@code json} is not a stored schedule
   */
  static Schedule fromJson(String name, String json) {
    try {
      JsonNode o = JSON.readTree(json);
      return new Schedule(
          name,
          o.path("task").asText(null),
          o.get("input"),
          o.hasNonNull("cron") ? o.get("cron").asText() : null,
          o.hasNonNull("everyMs") ? Duration.ofMillis(o.get("everyMs").asLong()) : null,
          ZoneId.of(o.path("zone").asText("Z")),
          o.path("queue").asText(null),
          Missed.valueOf(o.path("missed").asText("ONCE")),
          o.path("paused").asBoolean(false));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(
          "schedule '" + name + "' in Redis is unreadable: " + e.getMessage(), e);
    }
  }

  private static JsonNode toJson(Object input) {
    return input instanceof JsonNode n ? n : JSON.valueToTree(input);
  }

  private static Cron parseCron(String name, String expression) {
    Objects.requireNonNull(expression, "expression");
    try {
      return UNIX.parse(expression.trim()).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "schedule '"
              + name
              + "': '"
              + expression
              + "' is not a cron expression of five fields (minute hour day-of-month month"
              + " day-of-week, e.g. '0 2 * * *'): "
              + e.getMessage(),
          e);
    }
  }
}
