package dev.spool.state.internal;

import dev.spool.DistributedLock;
import dev.spool.Durations;
import dev.spool.LockLease;
import dev.spool.LockTimeoutException;
import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.Optional;

/**
 * A lock shared by every process, like {@code multiprocessing.Lock} with {@code acquire(timeout=)},
 * except that a grant is a lease: it ends when closed or when its lease time passes, so a holder
 * that dies cannot block others forever.
 *
 * <pre>{@code
 * DistributedLock lock = state.lock("ledger");
 * try (LockLease lease = lock.acquire(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
 *   // ... the work the lock protects
 * }
 * }</pre>
 *
 * <p>Taking a lock while the same thread holds another (outside {@link SharedState#locks}) logs a
 * warning naming both, or throws {@link NestedLockException} in strict mode. Thread-safe.
 */
final class RedisLock implements DistributedLock {
  private final LockEngine engine;
  private final String name;
  private final boolean watchdog;

  RedisLock(LockEngine engine, String name, boolean watchdog) {
    this.engine = engine;
    this.name = name;
    this.watchdog = watchdog;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The same lock, whose leases are renewed at a third of their length while held, until closed. A
   * failed renewal marks the lease lost.
   */
  @Override
  public DistributedLock withWatchdog() {
    return new RedisLock(engine, name, true);
  }

  /**
   * Waits at most {@code wait} for the lock and holds it for at most {@code lease}.
   *
   * @throws LockTimeoutException naming the lock and its holder when the wait ran out
   * @throws NestedLockException in strict mode, when this thread holds another lock
   * @throws IllegalArgumentException when a duration is not positive
   */
  @Override
  public LockLease acquire(Duration wait, Duration lease) {
    return tryAcquire(wait, lease)
        .orElseThrow(() -> new LockTimeoutException(name, holder().orElse(null), wait));
  }

  /** Like {@link #acquire} but returns empty when the wait ran out. */
  @Override
  public Optional<LockLease> tryAcquire(Duration wait, Duration lease) {
    Durations.requirePositive("wait", wait);
    Durations.requirePositive("lease", lease);
    engine.checkNesting(name);
    try {
      return Optional.ofNullable(
          engine.acquire(name, lease, watchdog, System.nanoTime() + wait.toNanos(), new String[1]));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SharedStateException("interrupted while waiting for lock '" + name + "'", e);
    }
  }

  /** Who holds the lock now ({@code host/pid thread}), if anyone. */
  @Override
  public Optional<String> holder() {
    String key = engine.lockKey(name);
    return Optional.ofNullable(
        LockEngine.holderOf(
            engine.redis.call("lock.read", "reading lock '" + name + "'", j -> j.get(key))));
  }
}
