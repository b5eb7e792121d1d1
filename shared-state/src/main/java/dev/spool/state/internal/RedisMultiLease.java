package dev.spool.state.internal;

import dev.spool.LockLease;
import dev.spool.LockLostException;
import dev.spool.MultiLease;
import java.util.List;
import java.util.NoSuchElementException;

/** The leases of a {@link MultiLock}; closing releases them all, in reverse order. */
final class RedisMultiLease implements MultiLease {
  private final List<LockLease> leases;

  RedisMultiLease(List<LockLease> leases) {
    this.leases = List.copyOf(leases);
  }

  /** The leases in the order they were taken. */
  @Override
  public List<LockLease> leases() {
    return leases;
  }

  /** The lease on lock {@code name}, for fenced writes. */
  @Override
  public LockLease lease(String name) {
    return leases.stream()
        .filter(l -> l.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no lock '" + name + "' in " + leases));
  }

  /**
   * Releases every lock; then throws the first {@link LockLostException}, if any lease was lost.
   */
  @Override
  public void close() {
    LockLostException first = null;
    for (int i = leases.size() - 1; i >= 0; i--) {
      try {
        leases.get(i).close();
      } catch (LockLostException e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }
}
