package dev.spool;

import java.time.Duration;
import java.util.List;

/**
 * Several locks taken together, all or nothing, always in one canonical (sorted) order, so that two
 * holders asking for {a, b} and {b, a} can never deadlock. Thread-safe.
 */
public interface MultiLock {
  List<String> names();

  /**
   * Takes every lock within one {@code wait}, each leased for {@code lease}; on timeout releases
   * those taken and throws.
   *
   * @throws LockTimeoutException naming the lock that could not be taken and its holder
   */
  MultiLease acquire(Duration wait, Duration lease);
}
