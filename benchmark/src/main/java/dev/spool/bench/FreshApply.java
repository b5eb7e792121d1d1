package dev.spool.bench;

import dev.spool.core.SpoolConfig;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.time.Duration;

/**
 * The first {@code n} {@code apply} calls of a new JVM, as a short-lived program makes them: opens
 * a pool (from the SPOOL_* variables) and prints each call's round trip in nanoseconds, one per
 * line. Run by {@code bin/spool-bench --only apply} in a process of its own.
 */
public final class FreshApply {
  private FreshApply() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    SpoolConfig config = SpoolConfig.builderFromEnvironment(System.getenv()).build();
    long[] nanos = new long[n];
    try (Spool spool = Spool.connect(config);
        TaskPool pool = spool.pool()) {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        pool.apply("square", (long) i, Long.class, Duration.ofSeconds(30));
        nanos[i] = System.nanoTime() - t0;
      }
    }
    StringBuilder out = new StringBuilder();
    for (long t : nanos) out.append(t).append('\n');
    System.out.print(out);
  }
}
