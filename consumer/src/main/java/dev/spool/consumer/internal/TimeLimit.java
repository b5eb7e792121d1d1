package dev.spool.consumer.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The time-limit watchdog of one task run. When the run passes its limit, its worker thread is
 * interrupted; when it is still running a grace period later and the run can still be settled
 * ({@code settle} returns true), the run is abandoned: {@code onAbandon} settles it as a timeout
 * and the pool replaces the thread. A run that ends first cancels the alarm; one already settled is
 * not interrupted.
 *
 * <p>Thread-safe: {@link #start} and {@link #finish} are called by the worker, the alarms by the
 * scheduler.
 */
final class TimeLimit {
  /** Runs an action after a delay; the handle cancels it. */
  @FunctionalInterface
  interface Scheduler {
    Runnable schedule(Runnable action, Duration delay);

    /**
     * The consumer's timer: one daemon thread named {@code name}, which drops an alarm as soon as
     * it is cancelled. A run's alarm is cancelled when it ends, and the JDK's default is to keep a
     * cancelled alarm queued until its time: every task's stayed for its limit (15 minutes by
     * default), 7 MB for a 100,000-task map and about 130 MB at 2,000 tasks a second.
     */
    static java.util.concurrent.ScheduledThreadPoolExecutor newTimer(String name) {
      var timer =
          new java.util.concurrent.ScheduledThreadPoolExecutor(
              1, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }

    static Scheduler of(ScheduledExecutorService timer) {
      return (action, delay) -> {
        var f = timer.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      };
    }
  }

  private final Scheduler scheduler;
  private final Duration limit;
  private final Duration grace;
  private final BooleanSupplier settled;
  private final BooleanSupplier settle;
  private final Runnable onTimeUp;
  private final Runnable onAbandon;
  private Thread worker; // guarded by this
  private boolean running; // guarded by this
  private Runnable cancel = () -> {}; // guarded by this
  private volatile boolean timedOut;
  private volatile boolean abandoned;

  /**
   * @param settled whether the run is settled already (then it is not interrupted)
   * @param settle settles the run; false when something else settled it first
   * @param onTimeUp told when the limit passes, before the interrupt (for the log)
   * @param onAbandon settles the abandoned run, once, after {@code settle} returned true
   */
  TimeLimit(
      Scheduler scheduler,
      Duration limit,
      Duration grace,
      BooleanSupplier settled,
      BooleanSupplier settle,
      Runnable onTimeUp,
      Runnable onAbandon) {
    this.scheduler = scheduler;
    this.limit = limit;
    this.grace = grace;
    this.settled = settled;
    this.settle = settle;
    this.onTimeUp = onTimeUp;
    this.onAbandon = onAbandon;
  }

  /** The run starts on the calling thread. */
  synchronized void start() {
    worker = Thread.currentThread();
    running = true;
    cancel = scheduler.schedule(this::timeUp, limit);
  }

  /**
   * The run ended on its worker thread: cancels the alarm and clears an interrupt meant for this
   * run, so it cannot reach the next one.
   *
   * @return true when the run was abandoned (the pool started a replacement thread for it)
   */
  boolean finish() {
    synchronized (this) {
      cancel.run();
      running = false;
      worker = null;
    }
    Thread.interrupted();
    return abandoned;
  }

  /** Whether the run passed its limit. */
  boolean timedOut() {
    return timedOut;
  }

  /** Whether the run was abandoned and settled by the watchdog. */
  boolean abandoned() {
    return abandoned;
  }

  /**
   * Ends the run early (it was cancelled): as when the limit passes, its thread is interrupted now
   * and abandoned after the grace period, but {@link #timedOut()} stays false. {@code announce} is
   * told first, unless the run already ended or was settled. Returns whether it was interrupted.
   */
  boolean interruptNow(Runnable announce) {
    synchronized (this) {
      if (!running || settled.getAsBoolean()) return false;
      cancel.run();
      interrupt(announce);
      return true;
    }
  }

  private void timeUp() {
    synchronized (this) {
      if (!running || settled.getAsBoolean()) return;
      timedOut = true;
      interrupt(onTimeUp);
    }
  }

  private void interrupt(Runnable announce) { // holding this
    announce.run();
    worker.interrupt();
    cancel = scheduler.schedule(this::abandonIfStuck, grace);
  }

  private void abandonIfStuck() {
    synchronized (this) {
      if (!running || !settle.getAsBoolean()) return;
      abandoned = true;
    }
    onAbandon.run();
  }
}
