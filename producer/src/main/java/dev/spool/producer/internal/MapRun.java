package dev.spool.producer.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.SpoolException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.TaskResult;
import dev.spool.core.wire.WriteBatch;
import dev.spool.producer.MapResults;
import dev.spool.producer.internal.PendingTasks.Pending;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One map over many inputs: a feeder thread publishes chunks while the caller iterates results,
 * either in input order ({@code imap}) or as they complete ({@code imapUnordered}). The first
 * failure (in iteration order) is thrown from {@link #hasNext()} and cancels the rest; the whole
 * run shares one deadline.
 *
 * <p>Not thread-safe for iteration: one caller iterates.
 */
public final class MapRun<R> implements MapResults<R> {
  /** Publishes one chunk and returns its pending result. */
  @FunctionalInterface
  public interface ChunkSubmitter {
    Pending submit(List<Object> inputs, long position) throws InterruptedException;
  }

  private record End(long chunks) {}

  /** Chunks a run publishes ahead of its reader by default. */
  public static final int MAX_AHEAD = 10_000;

  private final Semaphore ahead; // a permit per chunk published and not read

  private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
  private final Deque<R> buffer = new ArrayDeque<>();
  private final Set<Pending> submitted = ConcurrentHashMap.newKeySet(); // not yet read
  private final boolean ordered;
  private final long deadlineNanos;
  private final java.util.function.LongSupplier ticker;
  private final JavaType resultType;
  private final ResultDecoder decoder;
  private final PendingTasks pending;
  private final Supplier<String> timeoutHint;
  private volatile boolean cancelled;
  private Thread feeder;
  private Long totalChunks;
  private long consumedChunks;
  private long done;
  private RuntimeException failure;

  /**
   * @param maxAhead most chunks published and not read yet: the feeder waits beyond it, so an
   *     endless input read slowly holds at most that many results
   */
  public MapRun(
      boolean ordered,
      long deadlineNanos,
      JavaType resultType,
      ResultDecoder decoder,
      PendingTasks pending,
      Supplier<String> timeoutHint,
      int maxAhead) {
    this(
        ordered,
        deadlineNanos,
        resultType,
        decoder,
        pending,
        timeoutHint,
        maxAhead,
        System::nanoTime);
  }

  /** As above, {@code deadlineNanos} read on {@code ticker} (the pool's). */
  public MapRun(
      boolean ordered,
      long deadlineNanos,
      JavaType resultType,
      ResultDecoder decoder,
      PendingTasks pending,
      Supplier<String> timeoutHint,
      int maxAhead,
      java.util.function.LongSupplier ticker) {
    this.ticker = ticker;
    if (maxAhead < 1) throw new IllegalArgumentException("maxAhead must be >= 1, was " + maxAhead);
    this.ahead = new Semaphore(maxAhead);
    this.ordered = ordered;
    this.deadlineNanos = deadlineNanos;
    this.resultType = resultType;
    this.decoder = decoder;
    this.pending = pending;
    this.timeoutHint = timeoutHint;
  }

  /**
   * Starts publishing {@code inputs} in chunks of {@code chunksize} on a feeder thread. When they
   * are all in memory ({@code inMemory}: the iterator never waits), the chunks go out several to a
   * socket write ({@link WriteBatch}); an iterator that may wait for its next input must not hold
   * chunks back.
   */
  public MapRun<R> start(
      Iterator<?> inputs, boolean inMemory, int chunksize, ChunkSubmitter submitter) {
    feeder =
        Thread.ofVirtual()
            .name("spool-map-feeder")
            .start(
                () -> {
                  try (WriteBatch ignored = inMemory ? WriteBatch.open() : null) {
                    feed(inputs, chunksize, submitter);
                  }
                });
    return this;
  }

  private void feed(Iterator<?> inputs, int chunksize, ChunkSubmitter submitter) {
    long position = 0;
    long chunks = 0;
    try {
      while (!cancelled && inputs.hasNext()) {
        if (!ahead.tryAcquire()) {
          WriteBatch.flushHeld(); // the reader waits for what this batch holds
          ahead.acquire(); // waits while maxAhead chunks are published and not read
        }
        List<Object> chunk = new ArrayList<>(chunksize);
        while (chunk.size() < chunksize && inputs.hasNext()) {
          chunk.add(inputs.next());
        }
        Pending p = submitter.submit(chunk, position);
        submitted.add(p);
        if (cancelled) { // stopped while this chunk was being published
          if (submitted.remove(p)) {
            pending.abandon(p);
            if (cancelTasks) remoteCancel.cancel(List.of(p.id()));
          }
          return;
        }
        position += chunk.size();
        chunks++;
        if (ordered) {
          arrivals.add(p);
        } else {
          p.future().whenComplete((r, e) -> arrivals.add(p));
        }
      }
      arrivals.add(new End(chunks));
    } catch (InterruptedException e) {
      arrivals.add(new SpoolException("map interrupted while publishing", e));
    } catch (RuntimeException e) {
      arrivals.add(e);
    }
  }

  /** Tasks published and not read yet: what this run holds on to. */
  int held() {
    return submitted.size();
  }

  @Override
  public long returned() {
    return done;
  }

  @Override
  public boolean hasNext() {
    if (failure != null) throw failure;
    if (cancelled) return false;
    try {
      while (buffer.isEmpty()) {
        if (totalChunks != null && consumedChunks == totalChunks) return false;
        Object next = arrivals.poll(remainingNanos(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new TaskTimeoutException(
              "map timed out with " + done + " results in; " + timeoutHint.get());
        }
        take(next);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(new SpoolException("interrupted while waiting for results", e));
    } catch (RuntimeException e) {
      throw fail(e);
    }
  }

  private void take(Object next) throws InterruptedException {
    if (next instanceof End end) {
      totalChunks = end.chunks();
    } else if (next instanceof RuntimeException e) {
      throw e;
    } else {
      Pending p = (Pending) next;
      consumedChunks++;
      TaskResult r = await(p);
      submitted.remove(p); // read: the run holds it no longer
      ahead.release();
      buffer.addAll(decoder.<R>values(p, r, resultType));
    }
  }

  private TaskResult await(Pending p) throws InterruptedException {
    try {
      return p.future().get(remainingNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw ResultDecoder.failure(p, e, timeoutHint.get());
    } catch (ExecutionException e) {
      throw ResultDecoder.failure(p, e, timeoutHint.get());
    }
  }

  private long remainingNanos() {
    return Math.max(0, deadlineNanos - ticker.getAsLong());
  }

  @Override
  public R next() {
    if (!hasNext()) throw new NoSuchElementException();
    done++;
    return buffer.poll();
  }

  private RuntimeException fail(RuntimeException e) {
    failure = e;
    List<Pending> forgotten = stop();
    if (e instanceof TaskTimeoutException) {
      for (Pending p : forgotten) {
        if (!p.future().isDone()) pending.timedOut(p); // as a task's own timer would count it
      }
    }
    return e;
  }

  /** Cancels tasks by id where they run (the pool's {@code cancel}). */
  @FunctionalInterface
  public interface RemoteCancel {
    void cancel(List<String> ids);
  }

  private RemoteCancel remoteCancel = ids -> {};

  /** Where {@link #cancel()} sends the ids of the tasks it cancels. */
  public MapRun<R> cancelWith(RemoteCancel remote) {
    this.remoteCancel = remote;
    return this;
  }

  private volatile boolean cancelTasks; // cancel() was called: tasks are cancelled remotely too

  /** Stops publishing and forgets every task still waiting; returns the ones forgotten. */
  private List<Pending> stop() {
    cancelled = true;
    if (feeder != null) feeder.interrupt();
    List<Pending> forgotten = new ArrayList<>();
    for (Pending p : submitted) {
      if (submitted.remove(p)) { // the feeder may be removing a last one at the same time
        forgotten.add(p);
        pending.abandon(p);
      }
    }
    arrivals.clear();
    buffer.clear();
    return forgotten;
  }

  @Override
  public long cancel() {
    cancelTasks = true;
    List<String> ids = new ArrayList<>();
    for (Pending p : stop()) {
      if (!p.future().isDone()) ids.add(p.id());
    }
    if (!ids.isEmpty()) remoteCancel.cancel(ids);
    return ids.size();
  }

  @Override
  public void close() {
    stop();
  }
}
