package dev.spool;

import java.util.Optional;

/**
 * One JSON value shared by every process, like {@code Manager().Value}, with compare-and-set.
 * Thread-safe.
 *
 * @param <V> value type
 */
public interface SharedValue<V> {
  String key();

  Optional<V> get();

  void set(V v);

  void set(V v, LockLease lease);

  /**
   * Sets {@code next} if the value is {@code expected} (null: absent), comparing JSON encodings;
   * true when it did.
   */
  boolean compareAndSet(V expected, V next);

  void set(V v, java.time.Duration ttl);

  /**
   * Sets {@code v}, expiring after {@code ttl}, only when there is no value: true when it did. A
   * marker that one process claims and every other sees.
   */
  boolean setIfAbsent(V v, java.time.Duration ttl);

  boolean delete();
}
