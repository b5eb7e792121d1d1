package dev.spool.state.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Tasks that succeeded and failed, per minute, for the last day: what the dashboard's throughput
 * chart and {@code spool-producer status --json} show from the moment they start. Every consumer
 * adds what it did every few seconds; any process reads it. One hash a minute, {@code
 * <ns>:history:<epoch minute>} with fields {@code succeeded} and {@code failed}, expiring after
 * {@link #KEPT}. Thread-safe.
 */
public final class TaskHistory {
  /** How long a minute is kept: a day, and an hour to spare. */
  public static final Duration KEPT = Duration.ofHours(25);

  /** The most minutes read at once: a day. */
  public static final int MAX_MINUTES = 24 * 60;

  /**
   * One minute.
   *
   * @param at the minute's start
   * @param succeeded tasks that succeeded in it
   * @param failed handler runs that failed in it
   */
  public record Minute(Instant at, long succeeded, long failed) {}

  /** KEYS the minute; ARGV succeeded, failed, kept ms. */
  private static final Script ADD =
      new Script(
          """
          if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'succeeded', ARGV[1]) end
          if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[1], 'failed', ARGV[2]) end
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return 1
          """);

  /** KEYS the minutes, oldest first; returns succeeded, failed of each, flat. */
  private static final Script READ =
      new Script(
          """
          local out = {}
          for i = 1, #KEYS do
            local v = redis.call('HMGET', KEYS[i], 'succeeded', 'failed')
            out[#out + 1] = v[1] or '0'
            out[#out + 1] = v[2] or '0'
          end
          return out
          """);

  private final Redis redis;
  private final String prefix;

  TaskHistory(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = namespace + ":history:";
  }

  private String key(Instant minute) {
    return prefix + minute.getEpochSecond() / 60;
  }

  /** Adds {@code succeeded} and {@code failed} to the minute {@code when} falls in. */
  public void add(Instant when, long succeeded, long failed) {
    if (succeeded == 0 && failed == 0) return;
    String k = key(when);
    redis.call(
        "history.add",
        "add to the task history",
        j ->
            ADD.run(
                j,
                List.of(k),
                List.of(
                    Long.toString(succeeded),
                    Long.toString(failed),
                    Long.toString(KEPT.toMillis()))));
  }

  /**
   * The last {@code minutes} minutes up to and including the one {@code now} falls in, oldest
   * first, one per minute (zeros where nothing was recorded).
   *
   * @throws IllegalArgumentException for minutes out of 1 to {@link #MAX_MINUTES}
   */
  public List<Minute> last(Instant now, int minutes) {
    if (minutes < 1 || minutes > MAX_MINUTES) {
      throw new IllegalArgumentException("minutes 1 to " + MAX_MINUTES + ", not " + minutes);
    }
    Instant newest = now.truncatedTo(ChronoUnit.MINUTES);
    List<Instant> at = new ArrayList<>(minutes);
    List<String> keys = new ArrayList<>(minutes);
    for (int i = minutes - 1; i >= 0; i--) {
      Instant m = newest.minus(i, ChronoUnit.MINUTES);
      at.add(m);
      keys.add(key(m));
    }
    List<?> r =
        (List<?>)
            redis.call("history.read", "read the task history", j -> READ.run(j, keys, List.of()));
    List<Minute> out = new ArrayList<>(minutes);
    for (int i = 0; i < minutes; i++) {
      out.add(
          new Minute(
              at.get(i),
              Long.parseLong(String.valueOf(r.get(2 * i))),
              Long.parseLong(String.valueOf(r.get(2 * i + 1)))));
    }
    return out;
  }
}
