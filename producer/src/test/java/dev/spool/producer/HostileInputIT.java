package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an attacker or a careless script types at the door: names and ids that no consumer could
 * carry are refused where they enter, at once, and nothing of them is stored.
 */
@ExtendWith(SpoolServicesExtension.class)
final class HostileInputIT {
  private static final String LONG_NAME = "x".repeat(256);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void overLongTaskName_refusedByEveryDoor_nothingStored(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    for (List<String> args :
        List.of(
            List.of("apply", LONG_NAME, "--input", "1", "--in", "2s", "--no-wait"),
            List.of("apply", LONG_NAME, "--input", "1"),
            List.of("map", LONG_NAME, "--range", "0:3"),
            List.of("schedule", "add", "s1", "--every", "10s", "--task", LONG_NAME),
            List.of("apply", "bad name!", "--input", "1"))) {
      SpoolProcesses.Run run = procs.runProducer(args.toArray(String[]::new));
      assertEquals(2, run.exit(), args + ": " + run.stderr());
      assertTrue(run.stderr().contains("is invalid; use 1 to 128 letters"), run.stderr());
      assertTrue(run.stderr().lines().count() <= 3, "the error, not the usage: " + run.stderr());
    }
    try (TaskPool pool = SpoolProcesses.pool(env, Duration.ofSeconds(5))) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              pool.submit(
                  LONG_NAME, 1, TaskOptions.defaults().withCountdown(Duration.ofSeconds(1))));
      assertThrows(
          IllegalArgumentException.class,
          () -> pool.submit(Workflow.chain(Workflow.task(LONG_NAME, 1)), TaskOptions.defaults()));
      assertThrows(
          IllegalArgumentException.class,
          () -> Schedule.every("s2", Duration.ofSeconds(5), LONG_NAME, 1));
    }
    try (var jedis = env.jedis()) {
      assertEquals(
          List.of(),
          List.copyOf(jedis.keys(env.namespace() + ":*")),
          "nothing stored in Redis for a refused task");
    }
  }
}
