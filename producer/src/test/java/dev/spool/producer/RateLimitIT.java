package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.producer.ChaosTasks.Stamp;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rate limits across 4 consumer processes: the measured start rate is within 5 % of the limit, per
 * task name and per key, and every task runs once.
 */
@ExtendWith(SpoolServicesExtension.class)
final class RateLimitIT {
  private static final Duration LONG = Duration.ofMinutes(3);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  /** Tasks of the per-name test: 20 s of them at 40/s. */
  private static final int TASKS = 800;

  @Test
  void perTaskName_fourConsumers_startRateWithinFivePercentOfTheLimit(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true, "--concurrency", "2", "--rate-limit", "stamp=40/s");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      long t0 = System.currentTimeMillis();
      for (long i = 0; i < TASKS; i++)
        pool.submit("stamp", new Stamp(i, 0), TaskOptions.defaults());
      SharedDict<Long, Long> stamps = state.dict(ChaosTasks.STAMPS, Long.class, Long.class);
      await().atMost(LONG).until(() -> stamps.size() >= 40);
      // Most wait for their slot in Redis now (about 20 s of them: a status command that starts
      // slowly on a loaded machine still finds them), and status says so.
      SpoolProcesses.Run status = procs.runProducer("status");
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("([\\d,]+) put aside by a rate limit")
              .matcher(status.stdout());
      assertTrue(m.find(), status.stdout());
      long aside = Long.parseLong(m.group(1).replace(",", ""));
      assertTrue(aside > 0 && aside <= TASKS, "put aside: " + aside + "\n" + status.stdout());
      await().atMost(LONG).until(() -> stamps.size() == TASKS);
      double rate = rate(stamps.entries().values());
      System.out.printf(
          "stamp limited to 40/s on 4 consumers: measured %.2f/s after the first 2 s (at most %d"
              + " starts in one second), %.2f/s over the whole run%n",
          rate, busiestSecond(stamps.entries().values()), wholeRate(stamps.entries().values()));
      assertNothingEarly(stamps.entries().values(), t0, 40, "stamp");
      assertRanOnce(state, TASKS);
    }
  }

  @Test
  void perKey_eachKeyGetsItsOwnLimit(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true, "--concurrency", "2", "--rate-limit", "stamp=15/s");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      // All of a's tasks first, then all of b's: under one shared limit b's would start only
      // after a's last; under a limit of their own they start at once.
      long t0 = System.currentTimeMillis();
      for (long i = 0; i < 300; i++) {
        String key = i < 150 ? "customer-a" : "customer-b";
        pool.submit("stamp", new Stamp(i, 0), TaskOptions.defaults().withRateKey(key));
      }
      SharedDict<Long, Long> stamps = state.dict(ChaosTasks.STAMPS, Long.class, Long.class);
      await().atMost(LONG).until(() -> stamps.size() == 300);
      Map<Long, Long> all = stamps.entries();
      List<Long> a = new ArrayList<>();
      List<Long> b = new ArrayList<>();
      all.forEach((n, at) -> (n < 150 ? a : b).add(at));
      double rateA = rate(a);
      double rateB = rate(b);
      double total = rate(all.values());
      System.out.printf(
          "stamp limited to 15/s per key on 4 consumers, after the first 2 s: key a %.2f/s, key b"
              + " %.2f/s, both %.2f/s (at most %d and %d starts in one second); over the whole"
              + " run: key a %.2f/s, key b %.2f/s%n",
          rateA, rateB, total, busiestSecond(a), busiestSecond(b), wholeRate(a), wholeRate(b));
      assertNothingEarly(a, t0, 15, "key a");
      assertNothingEarly(b, t0, 15, "key b");
      long firstB = b.stream().mapToLong(Long::longValue).min().orElseThrow();
      long lastA = a.stream().mapToLong(Long::longValue).max().orElseThrow();
      assertTrue(
          firstB < lastA,
          "key b waited for key a: its first start at +"
              + (firstB - t0)
              + " ms, a's last at +"
              + (lastA - t0)
              + " ms");
      assertRanOnce(state, 300);
    }
  }

  /**
   * The limit as an upper bound, which holds however slow the machine is: slots are booked evenly
   * spaced from the first booking on (after {@code t0}, the first submission) and no task starts
   * before its slot, so the k-th start (k from 0) is no earlier than {@code t0 + k / perSecond}. A
   * loaded machine only starts them later. 20 ms for rounding between clocks.
   */
  private static void assertNothingEarly(
      Collection<Long> startsMs, long t0, int perSecond, String what) {
    List<Long> sorted = startsMs.stream().sorted().toList();
    for (int k = 0; k < sorted.size(); k++) {
      long earliest = t0 + k * 1000L / perSecond - 20;
      assertTrue(
          sorted.get(k) >= earliest,
          what
              + ": start "
              + k
              + " at +"
              + (sorted.get(k) - t0)
              + " ms, before its earliest slot at +"
              + (earliest - t0)
              + " ms: faster than "
              + perSecond
              + "/s");
    }
  }

  /**
   * Starts per second in the steady state: the slope of a least-squares line through the starts
   * from 2 s after the first one to the last (start number against time), so that one start late at
   * either end of the window does not tilt the figure as it would a count divided by a span. In the
   * first seconds the consumers are still booking slots for the whole backlog just submitted
   * (docs/guides/rate-limits.md); counting those would measure how fast the backlog was booked, not
   * the limit.
   */
  private static double rate(Collection<Long> startsMs) {
    List<Long> sorted = startsMs.stream().sorted().toList();
    long from = sorted.getFirst() + 2_000;
    List<Long> steady = sorted.stream().filter(t -> t >= from).toList();
    int n = steady.size();
    double meanT = steady.stream().mapToLong(Long::longValue).average().orElseThrow();
    double meanI = (n - 1) / 2.0;
    double cov = 0;
    double var = 0;
    for (int i = 0; i < n; i++) {
      double dt = steady.get(i) - meanT;
      cov += dt * (i - meanI);
      var += dt * dt;
    }
    return cov / var * 1000.0;
  }

  /** The most starts in any 1 s window after the first 2 s: how far a burst went over the rate. */
  private static int busiestSecond(Collection<Long> startsMs) {
    List<Long> sorted = startsMs.stream().sorted().toList();
    long from = sorted.getFirst() + 2_000;
    List<Long> steady = sorted.stream().filter(t -> t >= from).toList();
    int most = 0;
    for (int i = 0, j = 0; i < steady.size(); i++) {
      while (steady.get(i) - steady.get(j) >= 1_000) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  }

  /** Starts per second from the first start to the last, the backlog's first seconds included. */
  private static double wholeRate(Collection<Long> startsMs) {
    long first = startsMs.stream().mapToLong(Long::longValue).min().orElseThrow();
    long last = startsMs.stream().mapToLong(Long::longValue).max().orElseThrow();
    return (startsMs.size() - 1) * 1000.0 / (last - first);
  }

  private static void assertRanOnce(RedisState state, long n) {
    SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
    assertEquals(n, runs.size());
    runs.entries().forEach((task, count) -> assertEquals(1L, count, "task " + task));
  }
}
