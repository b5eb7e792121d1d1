package dev.spool.state.internal;

import dev.spool.Durations;
import dev.spool.LockLease;
import dev.spool.LockTimeoutException;
import dev.spool.MultiLease;
import dev.spool.MultiLock;
import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Several locks taken together, all or nothing, always in one canonical (sorted) order, so that two
 * holders asking for {a, b} and {b, a} can never deadlock. Thread-safe.
 */
final class RedisMultiLock implements MultiLock {
  private final LockEngine engine;
  private final List<String> names;

  RedisMultiLock(LockEngine engine, SortedSet<String> names) {
    this.engine = engine;
    this.names = List.copyOf(names);
  }

  /** The lock names in the order they are taken. */
  @Override
  public List<String> names() {
    return names;
  }

  /**
   * Takes every lock within one {@code wait}, each leased for {@code lease}; on timeout releases
   * those taken and throws.
   *
   * @throws LockTimeoutException naming the lock that could not be taken and its holder
   */
  @Override
  public MultiLease acquire(Duration wait, Duration lease) {
    Durations.requirePositive("wait", wait);
    Durations.requirePositive("lease", lease);
    engine.checkNesting(String.join("', '", names));
    long deadline = System.nanoTime() + wait.toNanos();
    List<LockLease> taken = new ArrayList<>(names.size());
    String[] holder = new String[1];
    try {
      for (String name : names) {
        DefaultLease l = engine.acquire(name, lease, false, deadline, holder);
        if (l == null) {
          releaseQuietly(taken);
          throw new LockTimeoutException(name, holder[0], wait);
        }
        taken.add(l);
      }
    } catch (InterruptedException e) {
      releaseQuietly(taken);
      Thread.currentThread().interrupt();
      throw new SharedStateException("interrupted while taking locks " + names, e);
    } catch (RuntimeException e) {
      releaseQuietly(taken);
      throw e;
    }
    return new RedisMultiLease(taken);
  }

  private static void releaseQuietly(List<LockLease> leases) {
    for (int i = leases.size() - 1; i >= 0; i--) {
      try {
        leases.get(i).close();
      } catch (SharedStateException e) {
        // Already expired: nothing of ours to release.
      }
    }
  }
}
