package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.producer.ChaosTasks.Stamp;
import dev.spool.state.SharedDict;
import dev.spool.state.SharedState;
import dev.spool.state.SharedStateConfig;
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

  @Test
  void perTaskName_fourConsumers_startRateWithinFivePercentOfTheLimit(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true, "--concurrency", "2", "--rate-limit", "stamp=40/s");
    try (TaskPool pool = pool(env);
        SharedState state = state(env)) {
      for (long i = 0; i < 400; i++) pool.submit("stamp", new Stamp(i, 0), TaskOptions.defaults());
      SharedDict<Long, Long> stamps = state.dict(ChaosTasks.STAMPS, Long.class, Long.class);
      await().atMost(LONG).until(() -> stamps.size() >= 40);
      // Most wait for their slot in Redis now, and status says so.
      SpoolProcesses.Run status = procs.runProducer("status");
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("([\\d,]+) put aside by a rate limit")
              .matcher(status.stdout());
      assertTrue(m.find(), status.stdout());
      long aside = Long.parseLong(m.group(1).replace(",", ""));
      assertTrue(aside > 50 && aside <= 400, "put aside: " + aside + "\n" + status.stdout());
      await().atMost(LONG).until(() -> stamps.size() == 400);
      double rate = rate(stamps.entries().values());
      System.out.printf("stamp limited to 40/s on 4 consumers: measured %.2f/s%n", rate);
      assertTrue(Math.abs(rate - 40) <= 40 * 0.05, "rate " + rate);
      assertRanOnce(state, 400);
    }
  }

  @Test
  void perKey_eachKeyGetsItsOwnLimit(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true, "--concurrency", "2", "--rate-limit", "stamp=15/s");
    try (TaskPool pool = pool(env);
        SharedState state = state(env)) {
      for (long i = 0; i < 300; i++) {
        String key = i % 2 == 0 ? "customer-a" : "customer-b";
        pool.submit("stamp", new Stamp(i, 0), TaskOptions.defaults().withRateKey(key));
      }
      SharedDict<Long, Long> stamps = state.dict(ChaosTasks.STAMPS, Long.class, Long.class);
      await().atMost(LONG).until(() -> stamps.size() == 300);
      Map<Long, Long> all = stamps.entries();
      List<Long> a = new ArrayList<>();
      List<Long> b = new ArrayList<>();
      all.forEach((n, at) -> (n % 2 == 0 ? a : b).add(at));
      double rateA = rate(a);
      double rateB = rate(b);
      double total = rate(all.values());
      System.out.printf(
          "stamp limited to 15/s per key on 4 consumers: key a %.2f/s, key b %.2f/s, both %.2f/s%n",
          rateA, rateB, total);
      assertTrue(Math.abs(rateA - 15) <= 15 * 0.05, "key a " + rateA);
      assertTrue(Math.abs(rateB - 15) <= 15 * 0.05, "key b " + rateB);
      assertTrue(total > 15 * 1.5, "the keys ran side by side: " + total);
      assertRanOnce(state, 300);
    }
  }

  /** Starts per second between the first and the last. */
  private static double rate(Collection<Long> startsMs) {
    long first = startsMs.stream().mapToLong(Long::longValue).min().orElseThrow();
    long last = startsMs.stream().mapToLong(Long::longValue).max().orElseThrow();
    return (startsMs.size() - 1) * 1000.0 / (last - first);
  }

  private static void assertRanOnce(SharedState state, long n) {
    SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
    assertEquals(n, runs.size());
    runs.entries().forEach((task, count) -> assertEquals(1L, count, "task " + task));
  }

  private static TaskPool pool(SpoolTestEnv env) {
    return TaskPool.create(env.config(), TaskPoolConfig.builder().defaultTimeout(LONG).build());
  }

  private static SharedState state(SpoolTestEnv env) {
    return SharedState.connect(
        SharedStateConfig.builder()
            .redisUri(env.config().redisUri().toString())
            .namespace(env.namespace())
            .build());
  }
}
