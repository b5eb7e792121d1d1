package dev.spool;

import java.util.List;

public interface MultiLease extends AutoCloseable {
  List<LockLease> leases();

  LockLease lease(String name);

  /**
   * Releases every lock; then throws the first {@link LockLostException}, if any lease was lost.
   */
  void close();
}
