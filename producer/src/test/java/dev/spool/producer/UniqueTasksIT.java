package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Unique tasks against a consumer process: while a task holds its key, submitting an equal one
 * (from many threads, or the command line) gives its id and sends nothing; once it ended, the key
 * is free again.
 */
@ExtendWith(SpoolServicesExtension.class)
final class UniqueTasksIT {
  private static final Duration LONG = Duration.ofMinutes(2);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void anEqualKey_givesTheHoldersId_untilItEnds(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true);
    TaskOptions unique =
        TaskOptions.defaults()
            .withUniqueKey("report-7", Duration.ofMinutes(10))
            .withKeepResult(Duration.ofHours(1));
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config());
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      String first = pool.submit("mark", new Mark(7, 10_000), unique); // runs 10 s
      await().atMost(LONG).until(() -> runs.get(7L).isPresent()); // running now
      ExecutorService threads = Executors.newFixedThreadPool(8);
      List<Future<String>> again = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        again.add(threads.submit(() -> pool.submit("mark", new Mark(7, 0), unique)));
      }
      for (Future<String> f : again) assertEquals(first, f.get(), "the holder's id");
      threads.shutdown();
      SpoolProcesses.Run cli =
          procs.runProducer(
              "apply",
              "mark",
              "--input",
              "{\"n\":7,\"ms\":0}",
              "--no-wait",
              "--unique",
              "report-7");
      assertEquals(0, cli.exit(), cli.stderr());
      assertEquals(first, cli.stdout().trim(), "the command line too");

      assertEquals(7L, spool.result(first).get(Long.class, LONG));
      String second =
          await()
              .atMost(LONG)
              .until(
                  () -> pool.submit("mark", new Mark(7, 0), unique),
                  id -> !id.equals(first)); // the key is let go just after the result is kept
      assertNotEquals(first, second);
      assertEquals(7L, spool.result(second).get(Long.class, LONG));
      assertEquals(2L, runs.get(7L).orElseThrow(), "two tasks ran, not 42");
      assertEquals(Set.of(), Set.copyOf(env.jedis().keys(env.namespace() + ":unique:*")));

      IllegalArgumentException waits =
          assertThrows(
              IllegalArgumentException.class,
              () -> pool.apply("mark", new Mark(8, 0), Long.class, unique));
      assertTrue(waits.getMessage().contains("submit"), waits.getMessage());
      SpoolProcesses.Run noWait =
          procs.run(
              procs.producer("apply", "square", "--input", "2", "--unique", "k"), "apply-wait");
      assertEquals(2, noWait.exit());
      assertTrue(noWait.stderr().contains("--unique needs --no-wait"), noWait.stderr());
    }
  }
}
