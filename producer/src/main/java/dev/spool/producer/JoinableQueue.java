package dev.spool.producer;

import dev.spool.SharedCounter;
import dev.spool.SpoolException;
import dev.spool.SpoolTimeoutException;
import dev.spool.StateConnectionException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A {@link SpoolQueue} whose items are marked done, like {@code multiprocessing.JoinableQueue}: an
 * item handed over by {@link #get} stays unacked until {@link #taskDone()}, so if its reader dies
 * first the broker gives it to another reader; {@link #join()} returns when every item put has been
 * marked done, by any process.
 *
 * <pre>{@code
 * try (JoinableQueue<String> q = spool.joinableQueue("jobs", String.class)) {
 *   String job = q.get();
 *   process(job);
 *   q.taskDone();
 * }
 * }</pre>
 *
 * <p>The count of unfinished items lives in Redis ({@code <ns>:counter:queue.<name>.unfinished}): a
 * put adds one before it publishes, a {@code taskDone} takes one off after its ack. A process dying
 * between that ack and the decrement leaves the count one high, so {@code join} waits (give it a
 * timeout); it never returns early. A reader holds up to {@code unfinished} items at once.
 */
public final class JoinableQueue<T> extends SpoolQueue<T> {
  private final RedisState state;
  private final SharedCounter unfinished;
  private final Deque<Long> notDone = new ArrayDeque<>(); // tags handed over, oldest first

  private final boolean ownsState;

  JoinableQueue(
      Session session,
      Topology topology,
      String name,
      Class<T> type,
      int maxUnfinished,
      RedisState state,
      boolean ownsState) {
    super(session, topology, name, type, requireMaxUnfinished(maxUnfinished));
    this.state = state;
    this.ownsState = ownsState;
    this.unfinished = state.counter("queue." + name + ".unfinished");
  }

  static int requireMaxUnfinished(int maxUnfinished) {
    if (maxUnfinished < 1) {
      throw new IllegalArgumentException("maxUnfinished must be >= 1, was " + maxUnfinished);
    }
    return maxUnfinished;
  }

  @Override
  public void put(T item, Duration timeout) {
    ensureOpen();
    count(1); // first: join must not see the item's gap
    try {
      super.put(item, timeout);
    } catch (RuntimeException e) {
      count(-1);
      throw e;
    }
  }

  @Override
  synchronized void taken(long tag) {
    notDone.addLast(tag);
  }

  /**
   * Marks the oldest item this reader got and has not marked done as done: acks it, then counts it
   * finished.
   *
   * @throws IllegalStateException when every item got here is already done
   */
  public void taskDone() {
    long tag;
    synchronized (this) {
      Long t = notDone.pollFirst();
      if (t == null) {
        throw new IllegalStateException(
            "taskDone() called more times than items were got from " + queueName());
      }
      tag = t;
    }
    ack(tag);
    count(-1);
  }

  /** Items put and not yet marked done, by any process. */
  public long unfinished() {
    try {
      return unfinished.get();
    } catch (StateConnectionException e) {
      throw unreachable(e);
    }
  }

  /** Changes the count of unfinished items in Redis. */
  private void count(long delta) {
    try {
      unfinished.addAndGet(delta);
    } catch (StateConnectionException e) {
      throw unreachable(e);
    }
  }

  private SpoolConnectionException unreachable(StateConnectionException e) {
    return new SpoolConnectionException(
        queueName() + ": cannot count its unfinished items in Redis: " + e.getMessage(), e);
  }

  /** Blocks until every item put has been marked done. */
  public void join() {
    join(FOREVER);
  }

  /**
   * Waits up to {@code timeout} until every item put has been marked done.
   *
   * @throws SpoolTimeoutException when items are still unfinished after {@code timeout}
   */
  public void join(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 1;
    long left;
    while ((left = unfinished()) > 0) {
      if (System.nanoTime() > deadline) {
        throw new SpoolTimeoutException(
            left + " item(s) of " + queueName() + " unfinished after " + timeout);
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SpoolException("interrupted in join on " + queueName(), e);
      }
      sleep = Math.min(50, sleep * 2);
    }
  }

  /** Resets the count of unfinished items to 0, e.g. after {@link #delete()}. */
  public void resetUnfinished() {
    unfinished.reset();
  }

  /**
   * Deletes the queue, its items, and its count of unfinished items in Redis (a deleted queue's
   * count would otherwise stay listed by status and the dashboard forever).
   */
  @Override
  public void delete() {
    super.delete();
    try {
      unfinished.reset();
    } catch (dev.spool.SharedStateException e) {
      throw new SpoolConnectionException(
          queueName() + " is deleted, but not its count of unfinished items in Redis: " + e, e);
    }
  }

  @Override
  public void disconnect() {
    try {
      super.disconnect();
    } finally {
      if (ownsState) state.close();
    }
  }
}
