package dev.spool.producer;

import java.time.Duration;
import java.time.Instant;

/**
 * Options of one {@code map}, {@code imap}, {@code imapUnordered} or {@code starmap} call.
 *
 * @param chunksize inputs per message; null lets the pool choose, as {@code Pool.map} does
 * @param timeout how long the whole call may take; null for the pool's default
 * @param idempotent run each task at most once to success, even when redelivered after a crash: its
 *     id is its idempotency key (a Redis marker in the consumer)
 * @param countdown every task is due this long after the call (null: at once); the timeout counts
 *     from then
 * @param eta every task is due at this time (null: at once); the timeout counts from then
 * @param priority every task's priority, 0 (the default, lowest) to 9 ({@link
 *     TaskOptions#withPriority})
 */
public record MapOptions(
    Integer chunksize,
    Duration timeout,
    boolean idempotent,
    Duration countdown,
    Instant eta,
    int priority) {
  /** Most inputs per message when the pool chooses the chunk size. */
  public static final int MAX_AUTO_CHUNKSIZE = 1000;

  public MapOptions {
    if (chunksize != null && chunksize < 1) {
      throw new IllegalArgumentException("chunksize must be at least 1, was " + chunksize);
    }
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (countdown != null && eta != null) {
      throw new IllegalArgumentException("give a countdown or an eta, not both");
    }
    if (countdown != null) TaskOptions.defaults().withCountdown(countdown); // checks its range
    TaskOptions.requirePriority(priority);
  }

  public MapOptions(
      Integer chunksize, Duration timeout, boolean idempotent, Duration countdown, Instant eta) {
    this(chunksize, timeout, idempotent, countdown, eta, 0);
  }

  public MapOptions(Integer chunksize, Duration timeout) {
    this(chunksize, timeout, false);
  }

  public MapOptions(Integer chunksize, Duration timeout, boolean idempotent) {
    this(chunksize, timeout, idempotent, null, null);
  }

  /** The pool picks the chunk size and uses its default timeout. */
  public static MapOptions defaults() {
    return new MapOptions(null, null);
  }

  public MapOptions withChunksize(int chunksize) {
    return new MapOptions(chunksize, timeout, idempotent, countdown, eta, priority);
  }

  public MapOptions withTimeout(Duration timeout) {
    return new MapOptions(chunksize, timeout, idempotent, countdown, eta, priority);
  }

  /** Each task succeeds at most once, however often it is delivered. */
  public MapOptions idempotently() {
    return new MapOptions(chunksize, timeout, true, countdown, eta, priority);
  }

  /** Every task is due {@code countdown} after the call (up to 30 days). */
  public MapOptions withCountdown(Duration countdown) {
    return new MapOptions(chunksize, timeout, idempotent, countdown, null, priority);
  }

  /** Every task is due at {@code eta} (at most 30 days ahead). */
  public MapOptions withEta(Instant eta) {
    return new MapOptions(chunksize, timeout, idempotent, null, eta, priority);
  }

  /** Every task with priority {@code priority}, 0 to 9. */
  public MapOptions withPriority(int priority) {
    return new MapOptions(chunksize, timeout, idempotent, countdown, eta, priority);
  }

  /**
   * The chunk size the pool picks for {@code inputs} inputs and {@code consumers} consumers: about
   * 16 chunks per consumer (4 per worker thread at the default concurrency of 4), like {@code
   * Pool.map}'s 4 chunks per worker, and at most {@link #MAX_AUTO_CHUNKSIZE}.
   */
  public static int autoChunksize(long inputs, int consumers) {
    long per = Math.max(1, consumers) * 16L;
    long size = (inputs + per - 1) / per;
    return (int) Math.max(1, Math.min(MAX_AUTO_CHUNKSIZE, size));
  }
}
