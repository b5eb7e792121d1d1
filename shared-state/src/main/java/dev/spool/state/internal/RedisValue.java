package dev.spool.state.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.LockLease;
import dev.spool.SharedValue;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * One JSON value shared by every process, like {@code Manager().Value}, with compare-and-set.
 * Thread-safe.
 *
 * @param <V> value type
 */
final class RedisValue<V> implements SharedValue<V> {
  private final Redis redis;
  private final StateCodec codec;
  private final String key;
  private final JavaType type;

  RedisValue(Redis redis, StateCodec codec, String key, Class<V> type) {
    this.redis = redis;
    this.codec = codec;
    this.key = key;
    this.type = codec.type(type);
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public Optional<V> get() {
    return Optional.ofNullable(codec.decode(redis.call("GET " + key, j -> j.get(key)), type, key));
  }

  @Override
  public void set(V v) {
    String json = codec.encode(v, key);
    redis.call("SET " + key, j -> j.set(key, json));
  }

  /** Sets only while {@code lease} holds; else throws {@link LockLostException}. */
  @Override
  public void set(V v, LockLease lease) {
    Fencing.write(redis, lease, key, "SET", codec.encode(v, key));
  }

  /**
   * Sets {@code next} if the value is {@code expected} (null: absent), comparing JSON encodings;
   * true when it did.
   */
  @Override
  public boolean compareAndSet(V expected, V next) {
    String e = expected == null ? "" : codec.encode(expected, key);
    String n = codec.encode(next, key);
    Object r =
        redis.call("CAS " + key, j -> Scripts.COMPARE_AND_SET.run(j, List.of(key), List.of(e, n)));
    return Long.valueOf(1).equals(r);
  }

  /** Sets {@code v}, which Redis deletes after {@code ttl}. */
  @Override
  public void set(V v, java.time.Duration ttl) {
    String json = codec.encode(v, key);
    long ms = Math.max(1, ttl.toMillis());
    redis.call("SET " + key + " PX", j -> j.set(key, json, SetParams.setParams().px(ms)));
  }

  /**
   * Sets {@code v}, expiring after {@code ttl}, only when there is no value: true when it did. A
   * marker that one process claims and every other sees.
   */
  @Override
  public boolean setIfAbsent(V v, java.time.Duration ttl) {
    String json = codec.encode(v, key);
    long ms = Math.max(1, ttl.toMillis());
    String r =
        redis.call(
            "SET " + key + " NX PX", j -> j.set(key, json, SetParams.setParams().nx().px(ms)));
    return "OK".equals(r);
  }

  /** Deletes the value; true when there was one. */
  @Override
  public boolean delete() {
    return redis.call("DEL " + key, j -> j.del(key)) > 0;
  }
}
