package dev.spool;

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
public interface DistributedLock {
  String name();

  /**
   * The same lock, whose leases are renewed at a third of their length while held, until closed. A
   * failed renewal marks the lease lost.
   */
  DistributedLock withWatchdog();

  /**
   * Waits at most {@code wait} for the lock and holds it for at most {@code lease}.
   *
   * @throws LockTimeoutException naming the lock and its holder when the wait ran out
   * @throws NestedLockException in strict mode, when this thread holds another lock
   * @throws IllegalArgumentException when a duration is not positive
   */
  LockLease acquire(Duration wait, Duration lease);

  Optional<LockLease> tryAcquire(Duration wait, Duration lease);

  Optional<String> holder();
}
