package dev.spool.state.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.Durations;
import dev.spool.LockLease;
import dev.spool.SharedList;
import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.KeyValue;

/**
 * A list shared by every process, like {@code Manager().list()}: a Redis list of JSON values.
 * Thread-safe; each call is atomic on its own.
 *
 * @param <V> element type
 */
final class RedisList<V> implements SharedList<V> {
  private final Redis redis;
  private final StateCodec codec;
  private final String key;
  private final JavaType type;

  RedisList(Redis redis, StateCodec codec, String key, Class<V> type) {
    this.redis = redis;
    this.codec = codec;
    this.key = key;
    this.type = codec.type(type);
  }

  @Override
  public String key() {
    return key;
  }

  /** Appends one element; returns the new size. */
  @Override
  public long append(V v) {
    String json = codec.encode(v, key);
    return redis.call("RPUSH " + key, j -> j.rpush(key, json));
  }

  /** Appends only while {@code lease} holds; else throws {@link LockLostException}. */
  @Override
  public long append(V v, LockLease lease) {
    return Fencing.write(redis, lease, key, "RPUSH", codec.encode(v, key));
  }

  /** Appends all elements in one call; returns the new size. */
  @Override
  public long appendAll(List<? extends V> values) {
    if (values.isEmpty()) return size();
    String[] json = values.stream().map(v -> codec.encode(v, key)).toArray(String[]::new);
    return redis.call("RPUSH " + key, j -> j.rpush(key, json));
  }

  /**
   * @throws IndexOutOfBoundsException when {@code i} is not in [0, size)
   */
  @Override
  public V get(long i) {
    if (i < 0) throw new IndexOutOfBoundsException("index " + i + " of list '" + key + "'");
    String json = redis.call("LINDEX " + key, j -> j.lindex(key, i));
    if (json == null) {
      throw new IndexOutOfBoundsException("index " + i + " out of range for list '" + key + "'");
    }
    return codec.decode(json, type, key);
  }

  /**
   * @throws IndexOutOfBoundsException when {@code i} is not in [0, size)
   */
  @Override
  public void set(long i, V v) {
    if (i < 0) throw new IndexOutOfBoundsException("index " + i + " of list '" + key + "'");
    String json = codec.encode(v, key);
    try {
      redis.call("LSET " + key, j -> j.lset(key, i, json));
    } catch (SharedStateException e) {
      if (e.getCause() instanceof JedisDataException) {
        throw new IndexOutOfBoundsException("index " + i + " out of range for list '" + key + "'");
      }
      throw e;
    }
  }

  /** Sets element {@code i} only while {@code lease} holds. */
  @Override
  public void set(long i, V v, LockLease lease) {
    if (i < 0) throw new IndexOutOfBoundsException("index " + i + " of list '" + key + "'");
    Fencing.write(redis, lease, key, "LSET", Long.toString(i), codec.encode(v, key));
  }

  @Override
  public long size() {
    return redis.call("LLEN " + key, j -> j.llen(key));
  }

  /** Elements {@code from} (inclusive) to {@code to} (exclusive), like {@code list[from:to]}. */
  @Override
  public List<V> range(long from, long to) {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") is invalid");
    }
    if (to == from) return List.of();
    List<V> out = new ArrayList<>();
    for (String s : redis.call("LRANGE " + key, j -> j.lrange(key, from, to - 1))) {
      out.add(codec.decode(s, type, key));
    }
    return out;
  }

  @Override
  public Optional<V> popLeft() {
    return Optional.ofNullable(
        codec.decode(redis.call("LPOP " + key, j -> j.lpop(key)), type, key));
  }

  @Override
  public Optional<V> popRight() {
    return Optional.ofNullable(
        codec.decode(redis.call("RPOP " + key, j -> j.rpop(key)), type, key));
  }

  /** Pops the first element, waiting up to {@code wait} for one to arrive. */
  @Override
  public Optional<V> popLeft(Duration wait) {
    Durations.requirePositive("wait", wait);
    double s = wait.toMillis() / 1000.0;
    KeyValue<String, String> kv = redis.call("BLPOP " + key, j -> j.blpop(s, key));
    return Optional.ofNullable(kv == null ? null : codec.decode(kv.getValue(), type, key));
  }

  /** Pops the last element, waiting up to {@code wait} for one to arrive. */
  @Override
  public Optional<V> popRight(Duration wait) {
    Durations.requirePositive("wait", wait);
    double s = wait.toMillis() / 1000.0;
    KeyValue<String, String> kv = redis.call("BRPOP " + key, j -> j.brpop(s, key));
    return Optional.ofNullable(kv == null ? null : codec.decode(kv.getValue(), type, key));
  }

  @Override
  public void clear() {
    redis.call("DEL " + key, j -> j.del(key));
  }

  /** Expires the whole list after {@code ttl}. */
  @Override
  public void expireAfter(Duration ttl) {
    Durations.requirePositive("ttl", ttl);
    redis.call("PEXPIRE " + key, j -> j.pexpire(key, ttl.toMillis()));
  }
}
