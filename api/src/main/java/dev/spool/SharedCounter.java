package dev.spool;

/**
 * A whole number shared by every process, like {@code Manager().Value('i')} with atomic increments:
 * a Redis string. Thread-safe.
 */
public interface SharedCounter {
  String key();

  long get();

  long incrementAndGet();

  long addAndGet(long delta);

  void set(long value);

  void reset();
}
