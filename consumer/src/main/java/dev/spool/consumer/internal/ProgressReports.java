package dev.spool.consumer.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Coalesces one task's progress reports: at most one write per {@code everyNanos}, the latest
 * report winning; a report that comes too soon after a write is written when the interval is up (by
 * {@code timer}), unless a newer one replaced it first. A handler may report in a tight loop: Redis
 * sees a couple of writes a second. Thread-safe.
 */
final class ProgressReports {
  private final long everyNanos;
  private final LongSupplier nanoClock;
  private final Consumer<String> write;
  private final ScheduledExecutorService timer;
  private String latest; // not written yet
  private long lastWrite = Long.MIN_VALUE;
  private boolean scheduled;
  private boolean closed;

  ProgressReports(
      long everyNanos,
      LongSupplier nanoClock,
      Consumer<String> write,
      ScheduledExecutorService timer) {
    this.everyNanos = everyNanos;
    this.nanoClock = nanoClock;
    this.write = write;
    this.timer = timer;
  }

  /** A new report: written now when the last write is old enough, else at the interval's end. */
  void report(String json) {
    long wait;
    synchronized (this) {
      if (closed) return;
      latest = json;
      if (scheduled) return; // the pending write will carry it
      long now = nanoClock.getAsLong();
      wait = lastWrite == Long.MIN_VALUE ? 0 : everyNanos - (now - lastWrite);
      if (wait > 0) {
        scheduled = true;
      }
    }
    if (wait > 0) {
      timer.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
    } else {
      flush();
    }
  }

  /** Writes the latest report not yet written, if any. */
  void flush() {
    String json;
    synchronized (this) {
      scheduled = false;
      json = latest;
      latest = null;
      if (json == null || closed) return;
      lastWrite = nanoClock.getAsLong();
    }
    write.accept(json);
  }

  /** No more writes: the task ended. */
  synchronized void close() {
    closed = true;
    latest = null;
  }
}
