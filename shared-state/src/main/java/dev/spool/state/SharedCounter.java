package dev.spool.state;

/**
 * A whole number shared by every process, like {@code Manager().Value('i')} with atomic increments:
 * a Redis string. Thread-safe.
 */
public final class SharedCounter {
  private final Redis redis;
  private final String key;

  SharedCounter(Redis redis, String key) {
    this.redis = redis;
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** The value, 0 when never set. */
  public long get() {
    String v = redis.call("GET " + key, j -> j.get(key));
    if (v == null) return 0;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new StateCodecException(
          "cannot read key '" + key + "' as a whole number: '" + v + "'", e);
    }
  }

  public long incrementAndGet() {
    return addAndGet(1);
  }

  public long addAndGet(long delta) {
    return redis.call("INCRBY " + key, j -> j.incrBy(key, delta));
  }

  public void set(long value) {
    redis.call("SET " + key, j -> j.set(key, Long.toString(value)));
  }

  public void reset() {
    redis.call("DEL " + key, j -> j.del(key));
  }
}
