package dev.spool;

import java.time.Duration;
import java.time.Instant;

/**
 * A granted lock: held until closed or until its lease time passes, whichever comes first. Closing
 * releases it; closing a lease that was lost throws {@link LockLostException} and leaves the next
 * holder's lock alone. Closing twice is harmless.
 *
 * <pre>{@code
 * try (LockLease lease = lock.acquire(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
 *   dict.put("k", v, lease); // fenced: refused if the lease was lost
 * }
 * }</pre>
 */
public interface LockLease extends AutoCloseable {
  /** The lock's name. */
  String name();

  /** Grows strictly with every grant of this lock, across all holders. */
  long fencingToken();

  /** Who holds it: {@code host/pid thread}. */
  String holder();

  Instant acquiredAt();

  /** The lease time asked for (or last extended to). */
  Duration leaseTime();

  /** True while Redis still holds this grant (one round trip). */
  boolean isHeld();

  /**
   * Resets the lease to {@code lease} from now.
   *
   * @throws LockLostException when the lease had already been lost
   */
  void extend(Duration lease);

  /**
   * Releases the lock.
   *
   * @throws LockLostException when the lease had expired before release (nothing is deleted)
   */
  @Override
  void close();
}
