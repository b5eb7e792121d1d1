package dev.spool.state.internal;

import dev.spool.SharedCounter;
import dev.spool.StateCodecException;

/**
 * A whole number shared by every process, like {@code Manager().Value('i')} with atomic increments:
 * a Redis string. Thread-safe.
 */
final class RedisCounter implements SharedCounter {
  private final Redis redis;
  private final String key;

  RedisCounter(Redis redis, String key) {
    this.redis = redis;
    this.key = key;
  }

  @Override
  public String key() {
    return key;
  }

  /** The value, 0 when never set. */
  @Override
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

  @Override
  public long incrementAndGet() {
    return addAndGet(1);
  }

  @Override
  public long addAndGet(long delta) {
    return redis.call("INCRBY " + key, j -> j.incrBy(key, delta));
  }

  @Override
  public void set(long value) {
    redis.call("SET " + key, j -> j.set(key, Long.toString(value)));
  }

  @Override
  public void reset() {
    redis.call("DEL " + key, j -> j.del(key));
  }
}
