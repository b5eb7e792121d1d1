package dev.spool.state.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.Durations;
import dev.spool.LockLease;
import dev.spool.SharedDict;
import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A dict shared by every process, like {@code Manager().dict()}: a Redis hash. Keys are stored as
 * text (strings as they are, other types as JSON), values as JSON of the value type. Every call is
 * one round trip and atomic on its own; {@link #update} makes a read-modify-write atomic.
 * Thread-safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class RedisDict<K, V> implements SharedDict<K, V> {
  /** How often {@link #update} retries when another writer got in between. */
  public static final int MAX_UPDATE_ATTEMPTS = 100;

  private final Redis redis;
  private final StateCodec codec;
  private final String key;
  private final Class<K> keyType;
  private final JavaType keyJavaType;
  private final JavaType valueType;

  RedisDict(Redis redis, StateCodec codec, String key, Class<K> keyType, Class<V> valueType) {
    this.redis = redis;
    this.codec = codec;
    this.key = key;
    this.keyType = keyType;
    this.keyJavaType = codec.type(keyType);
    this.valueType = codec.type(valueType);
  }

  /** The Redis key. */
  @Override
  public String key() {
    return key;
  }

  @Override
  public Optional<V> get(K k) {
    String f = field(k);
    return Optional.ofNullable(decode(redis.call("HGET " + key, j -> j.hget(key, f)), f));
  }

  @Override
  public void put(K k, V v) {
    String f = field(k);
    String json = codec.encode(v, key);
    redis.call("HSET " + key, j -> j.hset(key, f, json));
  }

  /** Puts only while {@code lease} holds; else throws {@link LockLostException}. */
  @Override
  public void put(K k, V v, LockLease lease) {
    Fencing.write(redis, lease, key, "HSET", field(k), codec.encode(v, key));
  }

  /** Puts when {@code k} is absent; true when it did. */
  @Override
  public boolean putIfAbsent(K k, V v) {
    String f = field(k);
    String json = codec.encode(v, key);
    return redis.call("HSETNX " + key, j -> j.hsetnx(key, f, json)) == 1;
  }

  /** Removes {@code k}; true when it was there. */
  @Override
  public boolean remove(K k) {
    String f = field(k);
    return redis.call("HDEL " + key, j -> j.hdel(key, f)) == 1;
  }

  /** Removes {@code k} only while {@code lease} holds. */
  @Override
  public boolean remove(K k, LockLease lease) {
    return Fencing.write(redis, lease, key, "HDEL", field(k)) == 1;
  }

  @Override
  public boolean containsKey(K k) {
    String f = field(k);
    return redis.call("HEXISTS " + key, j -> j.hexists(key, f));
  }

  @Override
  public long size() {
    return redis.call("HLEN " + key, j -> j.hlen(key));
  }

  /** A snapshot of the keys. */
  @Override
  public Set<K> keys() {
    Set<K> out = new LinkedHashSet<>();
    for (String f : redis.call("HKEYS " + key, j -> j.hkeys(key))) out.add(fromField(f));
    return out;
  }

  /** A snapshot of the whole dict. */
  @Override
  public Map<K, V> entries() {
    Map<K, V> out = new LinkedHashMap<>();
    redis
        .call("HGETALL " + key, j -> j.hgetAll(key))
        .forEach((f, v) -> out.put(fromField(f), decode(v, f)));
    return out;
  }

  /** Adds {@code delta} to the whole number at {@code k} (0 when absent), atomically. */
  @Override
  public long increment(K k, long delta) {
    String f = field(k);
    return redis.call("HINCRBY " + key, j -> j.hincrBy(key, f, delta));
  }

  /**
   * Replaces the value at {@code k} with {@code fn(old)} atomically (old is null when absent; a
   * null result removes the key). Optimistic: a compare-and-set in Redis, retried when another
   * writer changed the field in between, at most {@link #MAX_UPDATE_ATTEMPTS} times. {@code fn} may
   * run more than once.
   */
  @Override
  public V update(K k, UnaryOperator<V> fn) {
    String f = field(k);
    for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      Optional<V> done =
          redis.call(
              "dict.update",
              "update " + key,
              j -> {
                String old = j.hget(key, f);
                V next = fn.apply(decode(old, f));
                String encoded = next == null ? "" : codec.encode(next, key);
                Object set =
                    Scripts.HASH_COMPARE_AND_SET.run(
                        j, List.of(key), List.of(f, old == null ? "" : old, encoded));
                return Long.valueOf(1).equals(set) ? Optional.ofNullable(next) : null;
              });
      if (done != null) return done.orElse(null);
    }
    throw new SharedStateException(
        "update of '"
            + key
            + "' field '"
            + f
            + "' lost "
            + MAX_UPDATE_ATTEMPTS
            + " races to other writers; use a lock for a key this contended");
  }

  @Override
  public void clear() {
    redis.call("DEL " + key, j -> j.del(key));
  }

  /** Expires the whole dict after {@code ttl} (refreshed by calling again). */
  @Override
  public void expireAfter(Duration ttl) {
    Durations.requirePositive("ttl", ttl);
    redis.call("PEXPIRE " + key, j -> j.pexpire(key, ttl.toMillis()));
  }

  /** Time left before the dict expires; empty when it has no expiry or does not exist. */
  @Override
  public Optional<Duration> timeToLive() {
    long ms = redis.call("PTTL " + key, j -> j.pttl(key));
    return ms < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
  }

  private String field(K k) {
    if (k == null) throw new IllegalArgumentException("dict key must not be null");
    return k instanceof String s ? s : codec.encode(k, key);
  }

  private K fromField(String f) {
    return keyType == String.class ? keyType.cast(f) : codec.decode(f, keyJavaType, key);
  }

  private V decode(String json, String f) {
    return codec.decode(json, valueType, key + "' field '" + f);
  }
}
