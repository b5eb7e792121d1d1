package dev.spool;

/**
 * Shared objects and locks by name, under a namespace: {@code Manager().dict()}, {@code .list()},
 * {@code Value} and {@code Lock}, across processes and hosts. A handler gets one from {@link
 * TaskContext#state()} (the consumer's: do not close it); a program from its {@code Spool}. Thread
 * safe; share one per process.
 */
public interface SharedState extends AutoCloseable {
  /**
   * Checks that the store answers now (connections are otherwise made on first use).
   *
   * @throws StateConnectionException when it does not
   */
  void ping();

  /**
   * The Redis server's clock ({@code TIME}), in milliseconds: one clock that every process of an
   * application shares, whatever its own host's clock says.
   *
   * @throws StateConnectionException when Redis does not answer
   */
  java.time.Instant serverTime();

  <K, V> SharedDict<K, V> dict(String name, Class<K> keyType, Class<V> valueType);

  <V> SharedList<V> list(String name, Class<V> type);

  SharedCounter counter(String name);

  <V> SharedValue<V> value(String name, Class<V> type);

  DistributedLock lock(String name);

  MultiLock locks(String... names);

  /** Closes the connections; closing twice is harmless. */
  void close();
}
