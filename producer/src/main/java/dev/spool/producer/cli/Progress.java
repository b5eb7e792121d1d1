package dev.spool.producer.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Prints "done of total, rate, time left" to stderr every few seconds while a long map runs, so
 * that stdout stays clean for results.
 */
final class Progress {
  private final String label;
  private final long total;
  private final PrintStream out;
  private final long every;
  private final long start = System.nanoTime();
  private long lastPrint = start;

  Progress(String label, long total, PrintStream out, Duration every) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.every = every.toNanos();
  }

  /** Call after each result; prints when the interval has passed. */
  void update(long done) {
    long now = System.nanoTime();
    if (now - lastPrint < every || done >= total) return;
    lastPrint = now;
    double seconds = (now - start) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    long left = rate > 0 ? Math.round((total - done) / rate) : -1;
    out.printf(
        "%s: %d of %d (%.0f%%), %.0f/s, about %s left%n",
        label, done, total, 100.0 * done / total, rate, left < 0 ? "?" : left + " s");
  }
}
