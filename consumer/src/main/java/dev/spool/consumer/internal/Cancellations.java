package dev.spool.consumer.internal;

import dev.spool.state.ExpiringSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This consumer's copy of the cancelled task ids kept in Redis ({@link ExpiringSet}). A task is
 * checked against the copy in memory, never against Redis: the {@link ControlPoller} asks Redis for
 * the set's version every 200 ms and the ids are read again only when it changed. Running tasks are
 * registered here; when a newly read id is running, it is told to stop.
 *
 * <p>While Redis cannot be reached, the last copy read stays in force. Thread-safe.
 */
public final class Cancellations implements ControlPoller.Refreshable {
  /** A running task that can be told to stop. */
  @FunctionalInterface
  interface Running {
    void cancel();
  }

  private final ExpiringSet set;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private volatile Set<String> ids = Set.of();
  private long version = -1; // of ids; only the poller's thread touches it

  public Cancellations(ExpiringSet set) {
    this.set = set;
  }

  /** Whether task {@code id} was cancelled, by the last copy read (no round trip). */
  boolean cancelled(String id) {
    return ids.contains(id);
  }

  /**
   * Registers task {@code id} as running until {@link #finished}; when it is (or becomes)
   * cancelled, {@code task} is told. Returns false, without registering, when it is cancelled
   * already.
   */
  boolean started(String id, Running task) {
    running.put(id, task);
    if (ids.contains(id)) {
      running.remove(id, task);
      return false;
    }
    return true;
  }

  void finished(String id, Running task) {
    running.remove(id, task);
  }

  /** Tasks running now, registered here. */
  int running() {
    return running.size();
  }

  /** Reads the ids again when their version changed, and stops running tasks now cancelled. */
  @Override
  public void refresh() {
    long v = set.version();
    if (v == version) return;
    ExpiringSet.Snapshot s = set.snapshot();
    ids = Set.copyOf(s.members());
    version = s.version();
    for (Map.Entry<String, Running> e : running.entrySet()) {
      if (ids.contains(e.getKey()) && running.remove(e.getKey(), e.getValue())) {
        e.getValue().cancel();
      }
    }
  }

  @Override
  public String what() {
    return "cancelled task ids";
  }
}
