package dev.spool.producer.internal;

import dev.spool.core.wire.TaskResult;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tasks waiting for their result, by task id. The first result for an id completes it; any later
 * one (a duplicate after a redelivery, or a late one) is counted and dropped. Thread-safe.
 */
public final class PendingTasks {
  private final Map<String, Pending> byId = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> inputsByWorker = new ConcurrentHashMap<>();
  private final LongAdder received = new LongAdder();
  private final LongAdder unmatched = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final ProducerMeters meters;

  public PendingTasks(ProducerMeters meters) {
    this.meters = meters;
  }

  /** Ids of the tasks completed last, to tell duplicates from strays. */
  private final RecentIds recent = new RecentIds(RECENT_IDS);

  /** How many completed task ids are remembered to count duplicates. */
  static final int RECENT_IDS = 1 << 18;

  /**
   * A task waiting for its result.
   *
   * @param id the task id
   * @param task the task name
   * @param position index of its first input
   * @param size inputs it carries (0 for a single input, else a chunk's size)
   * @param future completed with the result, or exceptionally with a timeout or a close
   * @param registeredNanos {@link System#nanoTime()} when it was registered, for round trips
   */
  public record Pending(
      String id,
      String task,
      long position,
      int size,
      CompletableFuture<TaskResult> future,
      long registeredNanos) {
    /** Inputs, counting a single input as 1. */
    public int inputs() {
      return Math.max(1, size);
    }

    /**
     * One registration is equal only to itself (as the record's own equals made it, through its
     * future's identity), hashed by its id, whose hash {@link #register} already computed: a map
     * holds its tasks in a set, and the record's hash of all six components took 3 % of a map
     * feeder's CPU.
     */
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }
  }

  /**
   * Registers a task; its future fails with a {@code TimeoutException} after {@code timeout}, or,
   * when {@code timeout} is null, never by itself: its caller keeps the deadline and {@linkplain
   * #abandon abandons} it when it passes (a map's tasks share their run's).
   *
   * @throws IllegalArgumentException when a task with the same id is waiting
   */
  public Pending register(String id, String task, long position, int size, Duration timeout) {
    CompletableFuture<TaskResult> f = new CompletableFuture<>();
    Pending p = new Pending(id, task, position, size, f, System.nanoTime());
    if (byId.putIfAbsent(id, p) != null) {
      throw new IllegalArgumentException(
          "a task with id " + id + " is already waiting for its result in this pool");
    }
    if (timeout == null) return p;
    f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (r, e) -> {
              if (byId.remove(id, p) && e instanceof java.util.concurrent.TimeoutException) {
                meters.timedOut(task);
              }
            });
    return p;
  }

  /** Hands a result to its waiting task. */
  public void complete(TaskResult result) {
    Pending p = byId.remove(result.taskId());
    if (p == null) {
      if (recent.contains(result.taskId())) {
        duplicates.increment();
        meters.duplicate();
      } else {
        unmatched.increment();
        meters.unmatched();
      }
      return;
    }
    recent.add(result.taskId());
    // Count before completing: a caller woken by the future must already see the counts.
    LongAdder byWorker = inputsByWorker.computeIfAbsent(result.worker(), w -> new LongAdder());
    received.increment();
    byWorker.add(p.inputs());
    if (!p.future().isDone()) {
      meters.result(p.task(), result.ok(), System.nanoTime() - p.registeredNanos());
    }
    if (!p.future().complete(result)) { // it timed out or the pool closed just now
      received.decrement();
      byWorker.add(-p.inputs());
      unmatched.increment();
      meters.unmatched();
    }
  }

  /** Counts a task whose caller's deadline passed without its result (it is forgotten already). */
  public void timedOut(Pending p) {
    meters.timedOut(p.task());
  }

  /** Forgets a task whose caller gave up. */
  public void abandon(Pending p) {
    byId.remove(p.id(), p);
  }

  /** Fails every waiting task with {@code cause}. */
  public void failAll(RuntimeException cause) {
    for (Pending p : byId.values()) {
      p.future().completeExceptionally(cause);
    }
    byId.clear();
  }

  public int waiting() {
    return byId.size();
  }

  public long received() {
    return received.sum();
  }

  public long unmatched() {
    return unmatched.sum();
  }

  /** Results for a task that already had its first: it ran twice (at-least-once delivery). */
  public long duplicates() {
    return duplicates.sum();
  }

  /** Inputs computed per consumer, sorted by consumer id. */
  public Map<String, Long> inputsByWorker() {
    Map<String, Long> m = new TreeMap<>();
    inputsByWorker.forEach((w, n) -> m.put(w, n.sum()));
    return m;
  }
}
