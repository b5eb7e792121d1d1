package dev.spool.producer;

import com.fasterxml.jackson.databind.JavaType;
import dev.spool.SpoolException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.TaskResult;
import dev.spool.core.wire.Tracing;
import dev.spool.producer.internal.MapRun;
import dev.spool.producer.internal.PendingTasks;
import dev.spool.producer.internal.PendingTasks.Pending;
import dev.spool.producer.internal.ResultDecoder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The waiting side of a {@link TaskPool}'s calls: publishes one task through the pool's {@link
 * TaskPublisher}, turns its pending result into the caller's future (completed off the client's
 * reader thread), and says, when a call times out, whether any consumer is there to blame.
 */
final class PoolCalls {
  private final TaskPool pool;
  private final TaskPublisher tasks;
  private final ResultDecoder decoder;
  private final ConfirmingPublisher publisher;
  private final Clock clock;
  private final LongSupplier ticker;
  private final String workQueue;
  private final PendingTasks pending;
  private final Tracing tracing;
  private final Duration defaultTimeout;

  PoolCalls(
      TaskPool pool,
      TaskPublisher tasks,
      ResultDecoder decoder,
      ConfirmingPublisher publisher,
      Clock clock,
      LongSupplier ticker,
      String workQueue,
      PendingTasks pending,
      Tracing tracing,
      Duration defaultTimeout) {
    this.pool = pool;
    this.tasks = tasks;
    this.decoder = decoder;
    this.publisher = publisher;
    this.clock = clock;
    this.ticker = ticker;
    this.workQueue = workQueue;
    this.pending = pending;
    this.tracing = tracing;
    this.defaultTimeout = defaultTimeout;
  }

  /** Lets the failures just handed over still complete their callers' futures, then stops. */
  void close() {
    callbacks.shutdown();
  }

  /**
   * The caller's future: completed on the pool's callback threads (virtual, one per completion),
   * never on the client's reader thread, where a blocking {@code thenAccept} of the caller's would
   * stall every result of the pool. Completed with the cause itself, not a wrapper.
   */
  <R> CompletableFuture<R> handedOff(CompletableFuture<R> internal) {
    CompletableFuture<R> out = new CompletableFuture<>();
    internal.whenComplete(
        (r, e) -> {
          Runnable complete =
              () -> {
                if (e == null) out.complete(r);
                else
                  out.completeExceptionally(
                      e.getCause() != null && e instanceof java.util.concurrent.CompletionException
                          ? e.getCause()
                          : e);
              };
          try {
            callbacks.execute(complete);
          } catch (java.util.concurrent.RejectedExecutionException closed) {
            complete.run(); // the pool closed: its last failures are handed over here
          }
        });
    return out;
  }

  /** Waits for a future from {@link #async}, rethrowing its {@code SpoolException}. */
  static <R> R await(CompletableFuture<R> f, String task) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new SpoolException("interrupted while waiting for task '" + task + "'", e);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause(); // always a SpoolException, see async
    }
  }

  /** Where callers' futures complete ({@link #handedOff}). */
  private final java.util.concurrent.ExecutorService callbacks =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("spool-callback-", 1).factory());

  <R> CompletableFuture<R> async(
      String task,
      Object input,
      JavaType type,
      Duration timeout,
      TaskPublisher.Idempotency idempotency,
      Instant due) {
    return async(task, input, type, timeout, idempotency, due, TaskOptions.defaults());
  }

  <R> CompletableFuture<R> async(
      String task,
      Object input,
      JavaType type,
      Duration timeout,
      TaskPublisher.Idempotency idempotency,
      Instant due,
      TaskOptions options) {
    if (options.uniqueKey() != null) {
      throw new IllegalArgumentException(
          "a uniqueness key works with submit, which returns the id of the task holding it; a"
              + " call that waits for a result would wait on a task it did not send");
    }
    Instant deadline = (due == null ? clock.instant() : due).plus(timeout);
    Pending p;
    try {
      p = tasks.publish(one(task, input, deadline, idempotency, due, options, true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(new SpoolException("interrupted while publishing", e));
    }
    return p.future()
        .handle(
            (r, e) -> {
              if (e != null) throw ResultDecoder.failure(p, e, hint());
              return decoder.<R>values(p, r, type).getFirst();
            });
  }

  /**
   * Runs {@code task} on one input and waits for its result on the caller's thread, which keeps the
   * deadline itself: no timer per call (a timer wakes the JDK's delay thread at every call made one
   * at a time) and no dependent future; the client's reader thread only completes the task's
   * future, and the result is decoded here.
   *
   * @throws dev.spool.core.TaskTimeoutException when no result came within {@code timeout}
   */
  <R> R call(
      String task,
      Object input,
      JavaType type,
      Duration timeout,
      TaskPublisher.Idempotency idempotency) {
    long start = System.nanoTime();
    Instant deadline = clock.instant().plus(timeout);
    Pending p;
    try {
      p =
          tasks.publish(
              one(task, input, deadline, idempotency, null, TaskOptions.defaults(), false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while publishing", e);
    }
    TaskResult r;
    try {
      long left = saturatedNanos(timeout) - (System.nanoTime() - start);
      r = p.future().get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      r = timedOut(p, e);
    } catch (InterruptedException e) {
      if (p.future().completeExceptionally(e)) pending.abandon(p); // forgotten unless it just ended
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while waiting for task '" + task + "'", e);
    } catch (ExecutionException e) { // the pool closed
      throw ResultDecoder.failure(p, e, hint());
    }
    return decoder.<R>values(p, r, type).getFirst();
  }

  /** A task of one input; with {@code ownTimer}, its pending result times out by itself. */
  private TaskPublisher.Submission one(
      String task,
      Object input,
      Instant deadline,
      TaskPublisher.Idempotency idempotency,
      Instant due,
      TaskOptions options,
      boolean ownTimer) {
    return new TaskPublisher.Submission(
        task,
        java.util.Collections.singletonList(input),
        0,
        false,
        deadline,
        idempotency,
        due,
        options,
        tasks.keepFor(task, options),
        ownTimer);
  }

  /** {@code d} in nanoseconds, or the most a long holds when it does not fit (292 years). */
  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? 0 : Long.MAX_VALUE;
    }
  }

  /**
   * The wait for {@code p} timed out: it is forgotten, counted and thrown, unless its result (or
   * the pool's close) completed it just now, which is returned (or thrown).
   */
  private TaskResult timedOut(Pending p, TimeoutException why) {
    if (!p.future().completeExceptionally(why)) {
      try {
        return p.future().join();
      } catch (java.util.concurrent.CompletionException
          | java.util.concurrent.CancellationException e) {
        throw ResultDecoder.failure(p, e, hint());
      }
    }
    pending.abandon(p);
    pending.timedOut(p);
    throw ResultDecoder.failure(p, why, hint());
  }

  String hint() {
    String alarm = publisher.alarmLine();
    if (alarm != null) return alarm;
    if (pool.isClosed()) return "the pool was closed"; // no round trip per pending task on close
    long now = ticker.getAsLong();
    Hint last = lastHint;
    if (last != null && now - last.nanos() < HINT_REUSE_NANOS) return last.text();
    String consumers;
    try {
      consumers = String.valueOf(pool.admin().consumerCount());
    } catch (SpoolException e) {
      consumers = "unknown";
    }
    String text = "consumers on " + workQueue + ": " + consumers + "; are they running?";
    lastHint = new Hint(now, text);
    return text;
  }

  /** A hint and when it was read: many calls timing out at once share one broker round trip. */
  private record Hint(long nanos, String text) {}

  private static final long HINT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private volatile Hint lastHint;

  static <R> List<R> collect(MapResults<R> run, Iterable<?> inputs) {
    List<R> results =
        inputs instanceof Collection<?> c ? new ArrayList<>(c.size()) : new ArrayList<>();
    try (run) {
      run.forEachRemaining(results::add);
    }
    return results;
  }

  <R> MapResults<R> run(
      String task, Iterable<?> inputs, JavaType resultType, MapOptions options, boolean ordered) {
    pool.ensureOpen();
    Duration timeout = options.timeout() == null ? defaultTimeout : options.timeout();
    Instant due = TaskOptions.due(options.countdown(), options.eta(), clock);
    Instant deadline = (due == null ? clock.instant() : due).plus(timeout);
    int chunksize = chunksize(inputs, options);
    boolean chunked = chunksize > 1;
    TaskOptions mapOptions = TaskOptions.defaults().withPriority(options.priority());
    MapRun<R> run =
        new MapRun<>(
            ordered,
            ticker.getAsLong() + Duration.between(clock.instant(), deadline).toNanos(),
            resultType,
            decoder,
            pending,
            this::hint,
            MapRun.MAX_AHEAD,
            ticker);
    run.cancelWith(ids -> pool.admin().cancel(ids, QueueAdmin.DEFAULT_CANCEL_KEEP));
    MapRun.ChunkSubmitter submitter =
        (chunk, position) ->
            tasks.publish(
                new TaskPublisher.Submission(
                    task,
                    chunk,
                    position,
                    chunked,
                    deadline,
                    options.idempotent()
                        ? TaskPublisher.Idempotency.BY_TASK_ID
                        : TaskPublisher.Idempotency.NONE,
                    due,
                    mapOptions,
                    null,
                    false));
    if (tracing.on()) { // the feeder thread publishes each chunk as a child of the caller's span
      Context caller = Context.current();
      MapRun.ChunkSubmitter plain = submitter;
      submitter =
          (chunk, position) -> {
            try (Scope ignored = caller.makeCurrent()) {
              return plain.submit(chunk, position);
            }
          };
    }
    return run.start(inputs.iterator(), inputs instanceof Collection<?>, chunksize, submitter);
  }

  private int chunksize(Iterable<?> inputs, MapOptions options) {
    if (options.chunksize() != null) return options.chunksize();
    if (!(inputs instanceof Collection<?> c)) return 1;
    return MapOptions.autoChunksize(c.size(), pool.admin().consumerCount());
  }
}
