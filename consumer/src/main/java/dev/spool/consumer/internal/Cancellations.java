package dev.spool.consumer.internal;

import dev.spool.state.internal.ExpiringSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This consumer's copy of the cancelled task ids kept in Redis ({@link ExpiringSet}). A task is
 * checked against the copy in memory, never against Redis: the {@link ControlPoller} asks Redis for
 * the set's version when a cancel is announced (and at least every second) and the ids are read
 * again only when it changed. Running tasks are registered here; when a newly read id is running,
 * it is told to stop.
 *
 * <p>While Redis cannot be reached, the last copy read stays in force. Thread-safe.
 */
public final class Cancellations implements ControlPoller.Refreshable {
  /** A running task that can be told to stop. */
  @FunctionalInterface
  interface Running {
    void cancel();
  }

  /**
   * A task running now, as the workers list shows it.
   *
   * @param id its task id
   * @param name its task name
   * @param attempt its attempt number, 1 for the first run
   * @param started when its handler started, by this host's clock
   */
  public record ActiveTask(String id, String name, int attempt, java.time.Instant started) {}

  private record Entry(ActiveTask task, Running stop) {}

  private final ExpiringSet set;
  private final java.time.Clock clock;
  private final Map<String, Entry> running = new ConcurrentHashMap<>();
  private volatile Set<String> ids = Set.of();
  private long version = -1; // of ids; only the poller's thread touches it

  public Cancellations(ExpiringSet set) {
    this(set, java.time.Clock.systemUTC());
  }

  public Cancellations(ExpiringSet set, java.time.Clock clock) {
    this.set = set;
    this.clock = clock;
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
  boolean started(String id, String name, int attempt, Running task) {
    Entry entry = new Entry(new ActiveTask(id, name, attempt, clock.instant()), task);
    running.put(id, entry);
    if (ids.contains(id)) {
      running.remove(id, entry);
      return false;
    }
    return true;
  }

  void finished(String id, Running task) {
    running.computeIfPresent(id, (k, e) -> e.stop() == task ? null : e);
  }

  /** Tasks running now, registered here. */
  int running() {
    return running.size();
  }

  /** The tasks running now, the longest-running first. */
  public java.util.List<ActiveTask> active() {
    return running.values().stream()
        .map(Entry::task)
        .sorted(java.util.Comparator.comparing(ActiveTask::started))
        .toList();
  }

  /** Reads the ids again when their version changed, and stops running tasks now cancelled. */
  @Override
  public void refresh() {
    long v = set.version();
    if (v == version) return;
    ExpiringSet.Snapshot s = set.snapshot();
    version = s.version();
    cancelled(s.members());
  }

  /** The cancelled ids are now {@code members}: running tasks among them are told to stop. */
  void cancelled(Set<String> members) {
    ids = Set.copyOf(members);
    for (Map.Entry<String, Entry> e : running.entrySet()) {
      if (ids.contains(e.getKey()) && running.remove(e.getKey(), e.getValue())) {
        e.getValue().stop().cancel();
      }
    }
  }

  /** A cancel is announced ({@code RedisState#announceControl}). */
  @Override
  public boolean announced() {
    return true;
  }

  @Override
  public String what() {
    return "cancelled task ids";
  }
}
