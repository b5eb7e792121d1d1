package dev.spool.consumer.internal;

import dev.spool.state.ExpiringSet;
import dev.spool.state.SharedStateException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This consumer's copy of the cancelled task ids kept in Redis ({@link ExpiringSet}). A task is
 * checked against the copy in memory, never against Redis: a background thread asks Redis for the
 * set's version every {@link #POLL} and reads the ids again only when it changed. Running tasks are
 * registered here; when a newly read id is running, it is told to stop.
 *
 * <p>While Redis cannot be reached, the last copy read stays in force and the thread keeps asking,
 * backing off to 5 s. Thread-safe.
 */
public final class Cancellations implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cancellations.class);

  /** How often Redis is asked whether the set changed: the most a cancel takes to be seen. */
  static final Duration POLL = Duration.ofMillis(200);

  /** A running task that can be told to stop. */
  @FunctionalInterface
  interface Running {
    void cancel();
  }

  private final ExpiringSet set;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private volatile Set<String> ids = Set.of();
  private long version = -1; // of ids; only the poller's thread touches it

  public Cancellations(ExpiringSet set) {
    this.set = set;
    this.thread = Thread.ofPlatform().daemon().name("spool-cancellations").unstarted(this::run);
  }

  /**
   * Reads the cancelled ids once, before the consumer takes its first task (a cancel made while no
   * consumer ran must hold for the tasks it finds queued), then keeps the copy fresh.
   */
  public void start() {
    try {
      refresh();
    } catch (SharedStateException e) {
      log.warn(
          "cannot read cancelled task ids ({}); until Redis answers, cancels are not seen",
          e.getMessage());
    }
    thread.start();
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

  private void run() {
    long backoff = 0;
    try {
      while (stop.getCount() > 0) {
        long pause = POLL.toMillis();
        try {
          refresh();
          backoff = 0;
        } catch (SharedStateException e) {
          backoff = Math.min(5000, Math.max(250, backoff * 2));
          pause = backoff;
          log.warn(
              "cannot read cancelled task ids ({}); keeping the {} known, trying again in {} ms",
              e.getMessage(),
              ids.size(),
              backoff);
        }
        if (stop.await(pause, TimeUnit.MILLISECONDS)) return;
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** Reads the ids again when their version changed, and stops running tasks now cancelled. */
  void refresh() {
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
  public void close() {
    stop.countDown();
    thread.interrupt();
  }
}
