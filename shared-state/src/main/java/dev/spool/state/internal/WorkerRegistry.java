package dev.spool.state.internal;

import dev.spool.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where live workers say who they are and what they run (a heartbeat), and where they answer pings:
 * the store behind {@code spool-producer workers}, {@code ping}, {@code inspect active} and the
 * dashboard's workers page. A report is an opaque string (the consumer's JSON); this class only
 * keeps it alive for a time and hands it out.
 *
 * <p>A worker's report lives for the {@code ttl} it gave at its last {@link #beat}: a worker that
 * died, or can no longer reach Redis, disappears from {@link #alive()} when that ttl runs out, by
 * the Redis server's clock. A worker that stops cleanly {@link #remove}s itself at once.
 *
 * <p>A ping is a nonce open for a while. Workers read the open nonces ({@link #openPings()}) and
 * {@link #answer} each once; the pinger reads the {@link #answers} so far.
 *
 * <p>Keys: {@code <ns>:workers} (a sorted set of ids by the expiry of their reports), {@code
 * <ns>:worker:<id>} (a report), {@code <ns>:pings} (a sorted set of open nonces by their close) and
 * {@code <ns>:pong:<nonce>} (a hash of answers by worker id). Every key expires. Thread-safe.
 */
public final class WorkerRegistry {
  /** The longest a report or a ping may be kept. */
  public static final Duration MAX_TTL = Duration.ofHours(1);

  private static final Pattern NONCE = Pattern.compile("[0-9a-f-]{36}");

  private final Redis redis;
  private final Runnable pinged;
  private final String namespace;
  private final String workers;
  private final String pings;

  /**
   * @param pinged runs after a ping is posted (an announcement to the workers); it must not throw
   */
  WorkerRegistry(Redis redis, String namespace, Runnable pinged) {
    this.redis = redis;
    this.pinged = pinged;
    this.namespace = namespace;
    this.workers = namespace + ":workers";
    this.pings = namespace + ":pings";
  }

  /**
   * Publishes worker {@code id}'s report, alive for {@code ttl} unless beaten again.
   *
   * @throws StateConnectionException when Redis cannot be reached
   */
  public void beat(String id, String report, Duration ttl) {
    requireTtl(ttl);
    List<String> keys = List.of(workers, reportKey(id));
    List<String> args = List.of(id, Objects.requireNonNull(report, "report"), millis(ttl));
    redis.call("worker.beat", "report worker " + id, j -> Scripts.WORKER_BEAT.run(j, keys, args));
  }

  /** Removes worker {@code id}'s report at once (a clean stop). */
  public void remove(String id) {
    String key = reportKey(id);
    redis.call(
        "worker.remove",
        "remove worker " + id,
        j -> {
          j.del(key);
          return j.zrem(workers, id);
        });
  }

  /** The ids of the workers alive now, in id order, without their reports. */
  @SuppressWarnings("unchecked")
  public List<String> ids() {
    return (List<String>)
        redis.call(
            "worker.alive",
            "list the workers",
            j -> Scripts.WORKERS_ALIVE.run(j, List.of(workers), List.of()));
  }

  /** The reports of the workers alive now, by worker id in id order. */
  public Map<String, String> alive() {
    List<String> ids = ids();
    Map<String, String> out = new LinkedHashMap<>();
    if (ids.isEmpty()) return out;
    String[] keys = ids.stream().map(this::reportKey).toArray(String[]::new);
    List<String> reports = redis.call("MGET workers", j -> j.mget(keys));
    for (int i = 0; i < ids.size(); i++) {
      if (reports.get(i) != null) out.put(ids.get(i), reports.get(i)); // expired since listed
    }
    return out;
  }

  /**
   * Opens a ping for {@code ttl}; returns its nonce, to read the {@link #answers} with.
   *
   * @throws StateConnectionException when Redis cannot be reached
   */
  public String ping(Duration ttl) {
    requireTtl(ttl);
    String nonce = Ids.random();
    List<String> args = List.of(nonce, millis(ttl));
    redis.call("worker.ping", "post a ping", j -> Scripts.PING_POST.run(j, List.of(pings), args));
    pinged.run();
    return nonce;
  }

  /** The nonces of the pings open now. */
  @SuppressWarnings("unchecked")
  public List<String> openPings() {
    List<String> open =
        (List<String>)
            redis.call(
                "worker.pings",
                "read the open pings",
                j -> Scripts.PINGS_OPEN.run(j, List.of(pings), List.of()));
    List<String> out = new ArrayList<>(open.size());
    for (String n : open) if (NONCE.matcher(n).matches()) out.add(n);
    return out;
  }

  /** Worker {@code id} answers ping {@code nonce} with its report. */
  public void answer(String nonce, String id, String report) {
    if (!NONCE.matcher(nonce).matches()) throw new IllegalArgumentException("not a ping: " + nonce);
    String key = pongKey(nonce);
    redis.call(
        "worker.answer",
        "answer ping " + nonce,
        j -> {
          j.hset(key, id, report);
          return j.pexpire(key, MAX_TTL.toMillis());
        });
  }

  /** The answers to ping {@code nonce} so far, by worker id. */
  public Map<String, String> answers(String nonce) {
    if (!NONCE.matcher(nonce).matches()) throw new IllegalArgumentException("not a ping: " + nonce);
    Map<String, String> all = redis.call("HGETALL pong", j -> j.hgetAll(pongKey(nonce)));
    return new java.util.TreeMap<>(all);
  }

  /** Deletes ping {@code nonce}'s answers (the pinger is done with them). */
  public void forget(String nonce) {
    if (!NONCE.matcher(nonce).matches()) throw new IllegalArgumentException("not a ping: " + nonce);
    redis.call(
        "worker.forget",
        "forget ping " + nonce,
        j -> {
          j.zrem(pings, nonce);
          return j.del(pongKey(nonce));
        });
  }

  private String reportKey(String id) {
    if (id == null || id.isBlank() || id.length() > 200) {
      throw new IllegalArgumentException("worker id must be 1 to 200 characters, was " + id);
    }
    return namespace + ":worker:" + id;
  }

  private String pongKey(String nonce) {
    return namespace + ":pong:" + nonce;
  }

  private static void requireTtl(Duration ttl) {
    Durations.requirePositive("ttl", ttl);
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl must be at most " + MAX_TTL + ", was " + ttl);
    }
  }

  private static String millis(Duration d) {
    return Long.toString(Math.max(1, d.toMillis()));
  }
}
