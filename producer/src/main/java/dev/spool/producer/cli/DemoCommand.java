package dev.spool.producer.cli;

import dev.spool.SpoolException;
import dev.spool.producer.MapOptions;
import dev.spool.producer.MapResults;
import dev.spool.producer.PoolStats;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool-producer demo}: the main job. Maps {@code square} over 0..N-1, fans out a batch of
 * {@code sleep} tasks, prints a summary, then stops the consumers with pills.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the demo job, then stops the consumers with one poison pill each.",
      "The job: square over 0..N-1 (results checked), a batch of sleep tasks, and a summary"
          + " (tasks, seconds, tasks per second, tasks per consumer)."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--squares",
      paramLabel = "N",
      defaultValue = "10000",
      description = "How many squares (default ${DEFAULT-VALUE}).")
  int squares;

  @Option(
      names = "--sleeps",
      paramLabel = "N",
      defaultValue = "24",
      description = "How many sleep tasks (default ${DEFAULT-VALUE}).")
  int sleeps;

  @Option(
      names = "--sleep-ms",
      paramLabel = "MS",
      defaultValue = "250",
      description = "Milliseconds each sleep task sleeps (default ${DEFAULT-VALUE}).")
  long sleepMs;

  @Option(
      names = "--increments",
      paramLabel = "N",
      defaultValue = "200",
      description = "How many locked-increment tasks (default ${DEFAULT-VALUE}).")
  int increments;

  @Option(
      names = "--wait-for-consumers",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long to wait for a first consumer (default ${DEFAULT-VALUE}).")
  java.time.Duration waitForConsumers;

  @Option(
      names = "--expect-consumers",
      paramLabel = "N",
      defaultValue = "1",
      description = "Start once N consumers are attached (default ${DEFAULT-VALUE}).")
  int expectConsumers;

  @Option(names = "--no-stop", description = "Leave the consumers running (send no pills).")
  boolean noStop;

  @Mixin PoolOptions pool = new PoolOptions();

  @Mixin ProgressOptions progress = new ProgressOptions();

  @Override
  public Integer call() throws InterruptedException {
    if (squares < 0 || sleeps < 0 || sleepMs < 0 || increments < 0) {
      throw new IllegalArgumentException(
          "--squares, --sleeps, --sleep-ms and --increments must be 0 or more");
    }
    if (expectConsumers < 1) {
      throw new IllegalArgumentException(
          "--expect-consumers must be at least 1, was " + expectConsumers);
    }
    Duration wait = waitForConsumers;
    PrintStream out = System.out;
    try (Spool spool = pool.connect();
        TaskPool p = spool.pool(pool.settings())) {
      int consumers = awaitConsumers(p, expectConsumers, wait);
      out.printf("Spool demo on %s with %d consumer(s)%n", p.workQueue(), consumers);
      runSquares(p, out);
      runSleeps(p, out);
      new SharedStateDemo(p, pool.timeout(), out).run(increments);
      printPerConsumer(p.stats(), out);
      if (!noStop) {
        int n = p.admin().stopConsumers(p.admin().consumerCount());
        out.printf("sent %d poison pill(s); consumers stop once the queue is drained%n", n);
      }
    }
    return 0;
  }

  private static int awaitConsumers(TaskPool p, int expected, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    int n;
    while ((n = p.admin().consumerCount()) < expected) {
      if (System.nanoTime() > deadline) {
        throw new SpoolException(
            n
                + " of "
                + expected
                + " consumer(s) attached to "
                + p.workQueue()
                + " after "
                + wait
                + "; start them with bin/spool-consumer (same SPOOL_NAMESPACE)");
      }
      Thread.sleep(250);
    }
    return n;
  }

  private void runSquares(TaskPool p, PrintStream out) {
    List<Long> inputs = LongStream.range(0, squares).boxed().toList();
    long t0 = System.nanoTime();
    List<Long> results =
        collect(
            "square",
            squares,
            p.imap(
                "square", inputs, Long.class, MapOptions.defaults().withTimeout(pool.timeout())));
    double s = (System.nanoTime() - t0) / 1e9;
    for (int i = 0; i < squares; i++) {
      if (results.get(i) != (long) i * i) {
        throw new SpoolException("square(" + i + ") came back as " + results.get(i));
      }
    }
    out.printf(
        "square: %d tasks in %.2f s (%.0f tasks/s), every result checked%n",
        squares, s, squares / Math.max(s, 1e-9));
  }

  private void runSleeps(TaskPool p, PrintStream out) {
    List<Long> inputs = Collections.nCopies(sleeps, sleepMs);
    long t0 = System.nanoTime();
    collect(
        "sleep", sleeps, p.imap("sleep", inputs, Long.class, new MapOptions(1, pool.timeout())));
    double s = (System.nanoTime() - t0) / 1e9;
    out.printf(
        "sleep: %d tasks of %d ms in %.2f s (%.1f tasks/s; %.1f s if run one at a time)%n",
        sleeps, sleepMs, s, sleeps / Math.max(s, 1e-9), sleeps * sleepMs / 1000.0);
  }

  private <R> List<R> collect(String task, int total, MapResults<R> results) {
    Progress bar = progress.start(task, total);
    List<R> out = new java.util.ArrayList<>(total);
    try (results) {
      while (results.hasNext()) {
        out.add(results.next());
        bar.update(out.size());
      }
    }
    bar.finish(out.size());
    return out;
  }

  private static void printPerConsumer(PoolStats stats, PrintStream out) {
    out.println("inputs computed per consumer:");
    stats.inputsByWorker().forEach((worker, n) -> out.printf("  %-40s %8d%n", worker, n));
  }
}
