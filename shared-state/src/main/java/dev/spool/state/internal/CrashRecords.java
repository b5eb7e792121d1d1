package dev.spool.state.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What the consumers know of tasks that came back unacked, so that a task that kills its consumer
 * is told apart from the tasks that were only beside it. Per task id, a hash {@code
 * <ns>:returns:<id>}, kept for {@link #TTL}: {@code handback}, set when a consumer that stopped or
 * paused handed the task back unstarted (so its next delivery is known to be innocent), and {@code
 * alone}, how many times it started running alone on a consumer (nothing else running beside it): a
 * consumer that died then died of this task. Every operation is one round trip. Thread-safe.
 */
public final class CrashRecords {
  /** How long a record is kept after its last change. */
  public static final Duration TTL = Duration.ofDays(1);

  private static final Script CHECK =
      new Script(
          """
          local handedBack = redis.call('HGET', KEYS[1], 'handback')
          if handedBack then redis.call('HDEL', KEYS[1], 'handback') end
          return {handedBack and 1 or 0, tonumber(redis.call('HGET', KEYS[1], 'alone') or '0')}
          """);

  private static final Script START_ALONE =
      new Script(
          """
          local n = redis.call('HINCRBY', KEYS[1], 'alone', 1)
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          return n
          """);

  private final Redis redis;
  private final String prefix;

  CrashRecords(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = namespace + ":returns:";
  }

  /**
   * What is known of a task that came back: whether it was handed back unstarted (the mark is taken
   * away now: from this delivery on, a return of it is not known to be innocent), and how many
   * times it started alone.
   */
  public record Returned(boolean handedBack, long startedAlone) {}

  /** Reads (and takes away the hand-back mark of) task {@code id}'s record. */
  public Returned check(String id) {
    String key = key(id);
    List<?> r =
        (List<?>)
            redis.call(
                "crash.check",
                "checking returns of " + id,
                j -> CHECK.run(j, List.of(key), List.of()));
    return new Returned(((Long) r.get(0)) == 1, (Long) r.get(1));
  }

  /** Task {@code id} starts running alone; returns how many times it has, this one included. */
  public long startAlone(String id) {
    String key = key(id);
    Object n =
        redis.call(
            "crash.alone",
            "recording a lone start of " + id,
            j -> START_ALONE.run(j, List.of(key), List.of(Long.toString(TTL.toMillis()))));
    return (Long) n;
  }

  /** Marks tasks handed back unstarted by a consumer that stops or pauses (one round trip). */
  public void handedBack(Collection<String> ids) {
    if (ids.isEmpty()) return;
    redis.call(
        "crash.handback",
        "marking " + ids.size() + " task(s) handed back",
        j -> {
          try (var p = j.pipelined()) {
            for (String id : ids) {
              String key = key(id);
              p.hset(key, "handback", "1");
              p.pexpire(key, TTL.toMillis());
            }
            p.sync();
          }
          return null;
        });
  }

  /** Task {@code id} ended (however): its record goes. */
  public void ended(String id) {
    String key = key(id);
    redis.call("crash.ended", "DEL " + key, j -> j.del(key));
  }

  private String key(String id) {
    return prefix + Objects.requireNonNull(id, "id");
  }
}
