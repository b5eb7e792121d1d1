package dev.spool.consumer.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Chooses a consumer's prefetch window from how long its tasks run, when the user set none: the
 * narrow window ({@code 2 x concurrency}, at least 32) while tasks are long or unknown, the wide
 * one while they are short.
 *
 * <p>Why: a delivery holds its slot until its result is confirmed and its ack sent, a few ms after
 * the task ends, and on a quorum queue each ack is a command in the queue's Raft log. With tasks of
 * a millisecond, 32 slots leave the workers waiting and the broker applying many small acks: two
 * consumers ran a 30,000-task map at 5,200 tasks/s with 32 slots each, the broker using 4.5 s of
 * CPU, and at 6,900 with 128 (3.2 s), no faster with 256 (docs/performance.md). With long tasks a
 * wide window only hoards: an idle consumer waits while another holds the queue's work, and more
 * tasks come back as suspects (run alone) when a consumer dies. So the window widens only when the
 * tasks ended since the last look ran {@link #SHORT_NANOS} or less on average, and narrows again
 * when they ran {@link #LONG_NANOS} or more; between the two it stays as it is, so that it does not
 * flap.
 *
 * <p>Tasks that ended say nothing about the ones that run now: after a burst of short tasks, long
 * ones that follow would fill the wide window and stay until the first of them ended. So a task
 * that has run {@link #LONG_RUN_NANOS} narrows the window too, and keeps it narrow while it runs
 * (the consumer then hands back what it holds unstarted: {@code ConsumerRuntime.resize}).
 *
 * <p>{@link #started}, {@link #stopped} and {@link #ended} are called by the workers, each on the
 * thread that runs the task; {@link #next} by one thread, every 500 ms.
 */
final class PrefetchTuner {
  /** Tasks this short on average (mean run time) widen the window. */
  static final long SHORT_NANOS = 5_000_000L;

  /** Tasks this long on average narrow it again. */
  static final long LONG_NANOS = 50_000_000L;

  /**
   * A task running this long narrows the window, and keeps it narrow until it ends: a look's time,
   * so that a collection's pause or a busy machine's scheduling does not narrow it for short ones.
   */
  static final long LONG_RUN_NANOS = 500_000_000L;

  private static final long IDLE = Long.MIN_VALUE;

  private final int narrow;
  private final int wide;
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();
  private final LongSupplier clock;

  // Each worker thread's start of the task it runs (a System.nanoTime() reading), IDLE between
  // tasks: a cell per thread, so that a start and an end cost a write and nothing is allocated.
  private final List<AtomicLong> runs = new CopyOnWriteArrayList<>();
  private final ThreadLocal<AtomicLong> run =
      ThreadLocal.withInitial(
          () -> {
            AtomicLong cell = new AtomicLong(IDLE);
            runs.add(cell);
            return cell;
          });

  /**
   * @param narrow the window to start with and to return to
   * @param wide the window for short tasks (not less than {@code narrow})
   */
  PrefetchTuner(int narrow, int wide) {
    this(narrow, wide, System::nanoTime);
  }

  PrefetchTuner(int narrow, int wide, LongSupplier clock) {
    if (narrow < 1 || wide < narrow) {
      throw new IllegalArgumentException("windows " + narrow + " and " + wide);
    }
    this.narrow = narrow;
    this.wide = wide;
    this.clock = clock;
  }

  /** The calling thread starts running a task. */
  void started() {
    run.get().set(clock.getAsLong());
  }

  /** The calling thread's task stopped running, however. */
  void stopped() {
    run.get().set(IDLE);
  }

  /** A task's run ended after {@code runNanos}. */
  void ended(long runNanos) {
    count.increment();
    nanos.add(runNanos);
  }

  /** Whether a task has run {@link #LONG_RUN_NANOS} or more and runs still. */
  private boolean longRunning() {
    long now = clock.getAsLong();
    for (AtomicLong cell : runs) {
      long start = cell.get();
      if (start != IDLE && now - start >= LONG_RUN_NANOS) return true;
    }
    return false;
  }

  /**
   * The window to have now, given the one in force ({@code current}), from the tasks ended since
   * the last call and the ones running. Fewer tasks than the narrow window since then (idle, or
   * slow) say too little to widen on; they may still narrow it, since each of them ran long.
   */
  int next(int current) {
    long n = count.sumThenReset();
    long total = nanos.sumThenReset();
    if (longRunning()) return narrow;
    if (n == 0) return current;
    long mean = total / n;
    if (mean >= LONG_NANOS) return narrow;
    if (mean <= SHORT_NANOS && n >= narrow) return wide;
    return current;
  }

  int narrow() {
    return narrow;
  }

  int wide() {
    return wide;
  }
}
