package dev.spool;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A list shared by every process, like {@code Manager().list()}: a Redis list of JSON values.
 * Thread-safe; each call is atomic on its own.
 *
 * @param <V> element type
 */
public interface SharedList<V> {
  String key();

  long append(V v);

  long append(V v, LockLease lease);

  long appendAll(List<? extends V> values);

  /**
   * @throws IndexOutOfBoundsException when {@code i} is not in [0, size)
   */
  V get(long i);

  /**
   * @throws IndexOutOfBoundsException when {@code i} is not in [0, size)
   */
  void set(long i, V v);

  void set(long i, V v, LockLease lease);

  long size();

  List<V> range(long from, long to);

  Optional<V> popLeft();

  Optional<V> popRight();

  Optional<V> popLeft(Duration wait);

  Optional<V> popRight(Duration wait);

  void clear();

  void expireAfter(Duration ttl);
}
