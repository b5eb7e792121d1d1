package dev.spool.state;

/**
 * Hears what shared state does, for metrics. Called on the thread that did it, so implementations
 * must be fast and thread-safe and must not throw. Every method does nothing by default.
 *
 * <pre>{@code
 * SharedStateConfig.builder().listener(new StateListener() {
 *   public void lockAcquired(String lock, long waitNanos) { waits.record(waitNanos, TimeUnit.NANOSECONDS); }
 * })
 * }</pre>
 */
public interface StateListener {
  /** Listens to nothing. */
  StateListener NONE = new StateListener() {};

  /**
   * One Redis round trip ended.
   *
   * @param op the command or script, such as {@code HINCRBY} or {@code lock.acquire}
   * @param nanos how long it took
   * @param failed true when it threw
   */
  default void operation(String op, long nanos, boolean failed) {}

  /** A lock was granted after waiting {@code waitNanos}. */
  default void lockAcquired(String lock, long waitNanos) {}

  /** Waiting for a lock timed out after {@code waitNanos}. */
  default void lockTimedOut(String lock, long waitNanos) {}

  /** A held lock was released after {@code holdNanos}. */
  default void lockReleased(String lock, long holdNanos) {}

  /** A lease was found expired or taken over while its holder still used it. */
  default void lockLost(String lock) {}
}
