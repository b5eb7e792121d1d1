package dev.spool;

import java.time.Duration;
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
public interface SharedDict<K, V> {
  int MAX_UPDATE_ATTEMPTS = 100;

  String key();

  Optional<V> get(K k);

  void put(K k, V v);

  void put(K k, V v, LockLease lease);

  boolean putIfAbsent(K k, V v);

  boolean remove(K k);

  boolean remove(K k, LockLease lease);

  boolean containsKey(K k);

  long size();

  Set<K> keys();

  Map<K, V> entries();

  long increment(K k, long delta);

  /**
   * Replaces the value at {@code k} with {@code fn(old)} atomically (old is null when absent; a
   * null result removes the key). Optimistic: a compare-and-set in Redis, retried when another
   * writer changed the field in between, at most {@link #MAX_UPDATE_ATTEMPTS} times. {@code fn} may
   * run more than once.
   */
  V update(K k, UnaryOperator<V> fn);

  void clear();

  void expireAfter(Duration ttl);

  Optional<Duration> timeToLive();
}
