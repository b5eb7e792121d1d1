package dev.spool.dashboard;

import dev.spool.producer.status.WorkerReport;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput and failures over the last hour, from the workers' own counters: each {@link #sample}
 * adds what every worker did since the previous one (a worker seen for the first time adds what it
 * did since it started, if it started after the previous sample). Kept while the dashboard runs; it
 * starts empty. Thread-safe.
 */
final class History {
  /**
   * One interval.
   *
   * @param at the end of the interval
   * @param succeeded tasks that succeeded in it
   * @param failed handler runs that failed in it
   */
  record Point(Instant at, long succeeded, long failed) {}

  private final int size;
  private final Deque<Point> points = new ArrayDeque<>();
  private final Map<String, long[]> last = new HashMap<>(); // worker id -> succeeded, failed
  private Instant previous;

  /**
   * @param size the most points kept (360 of 10 s: an hour)
   */
  History(int size) {
    this.size = size;
  }

  synchronized void sample(Instant now, List<WorkerReport> workers) {
    long succeeded = 0;
    long failed = 0;
    Map<String, long[]> seen = new HashMap<>();
    for (WorkerReport w : workers) {
      long s = w.stats().getOrDefault("succeeded", 0L);
      long f = w.stats().getOrDefault("failed", 0L);
      long[] before = last.get(w.id());
      if (before != null) {
        succeeded += Math.max(0, s - before[0]);
        failed += Math.max(0, f - before[1]);
      } else if (previous != null && w.started() != null && w.started().isAfter(previous)) {
        succeeded += s;
        failed += f;
      }
      seen.put(w.id(), new long[] {s, f});
    }
    last.clear();
    last.putAll(seen);
    if (previous != null) {
      points.addLast(new Point(now, succeeded, failed));
      while (points.size() > size) points.removeFirst();
    }
    previous = now;
  }

  synchronized List<Point> points() {
    return new ArrayList<>(points);
  }
}
