package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.producer.ChaosTasks.Stamp;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Priorities against consumer processes: behind a backlog of 10,000 tasks of priority 0, a task of
 * priority 9 starts within a bound, from the API, the command line, and after a delay.
 */
@ExtendWith(SpoolServicesExtension.class)
final class PriorityIT {
  private static final Duration LONG = Duration.ofMinutes(3);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void behindTenThousandTasks_aPriorityTaskStartsAtOnce(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true, "--concurrency", "2");
    String queue = env.workQueue("tasks");
    try (TaskPool pool =
            TestSpools.pool(env.config(), TaskPoolConfig.builder().defaultTimeout(LONG).build());
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      // 10,000 tasks of 4 ms on 4 workers: about 10 s of backlog, more with the Redis calls.
      List<Mark> backlog = LongStream.range(0, 10_000).mapToObj(i -> new Mark(i, 4)).toList();
      MapResults<Long> mapped =
          pool.imapUnordered("mark", backlog, Long.class, MapOptions.defaults().withChunksize(1));
      Thread drain =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (mapped.hasNext()) mapped.next();
                  });
      await().atMost(LONG).until(() -> runs.size() >= 200 && env.ready(queue) >= 6_000);

      List<Long> starts = new ArrayList<>();
      List<Long> depths = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        depths.add(env.ready(queue));
        long n = 100_000 + i;
        long late =
            pool.apply(
                "stamp",
                new Stamp(n, System.currentTimeMillis()),
                Long.class,
                TaskOptions.defaults().withPriority(9));
        starts.add(late);
      }
      // From the command line.
      SpoolProcesses.Run cli =
          procs.runProducer(
              "apply",
              "stamp",
              "--input",
              "{\"n\": 100010, \"due\": " + System.currentTimeMillis() + "}",
              "--priority",
              "9");
      assertEquals(0, cli.exit(), cli.stderr());
      // Delayed by 1 s, then moved to the urgent lane.
      long due = System.currentTimeMillis() + 1000;
      long delayedLate =
          pool.apply(
              "stamp",
              new Stamp(100_020, due),
              Long.class,
              TaskOptions.defaults().withPriority(5).withCountdown(Duration.ofSeconds(1)));
      long ranBeforeTheEnd = runs.size();
      drain.join(LONG.toMillis());
      assertEquals(10_000 + 7, runs.size(), "every task ran");
      for (long i = 0; i < 10_000; i++) assertEquals(1L, runs.get(i).orElse(0L), "task " + i);

      long worst = Collections.max(starts);
      System.out.printf(
          "priority 9 behind a backlog of %s tasks of priority 0 (4 workers): started %s ms after"
              + " submission (worst %d ms); from the command line the process included: %s ms;"
              + " delayed 1 s with priority 5: started %d ms after due; %d of 10,000 had run%n",
          depths, starts, worst, cli.stdout().trim(), delayedLate, ranBeforeTheEnd);
      assertTrue(depths.stream().allMatch(d -> d > 3_000), "a real backlog: " + depths);
      assertTrue(worst < 2_000, "a priority task waited " + worst + " ms");
      assertTrue(delayedLate >= 0 && delayedLate < 2_000, "delayed one late by " + delayedLate);
      assertTrue(ranBeforeTheEnd < 10_000, "the priority tasks ran before the backlog ended");
    }
  }
}
