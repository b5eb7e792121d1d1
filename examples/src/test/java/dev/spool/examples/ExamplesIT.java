package dev.spool.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Runs each example as users do (its own JVM, which starts more), and checks what it prints. */
@ExtendWith(SpoolServicesExtension.class)
final class ExamplesIT {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run run(SpoolTestEnv env, Class<?> example) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(example.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPOOL_AMQP_URI", env.config().amqpUri().toString());
    pb.environment().put("SPOOL_REDIS_URI", env.config().redisUri().toString());
    pb.environment().put("SPOOL_NAMESPACE", env.namespace());
    Path out = dir.resolve(example.getSimpleName() + ".out");
    Path err = dir.resolve(example.getSimpleName() + ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(example.getSimpleName() + " did not end:\n" + Files.readString(err));
    }
    Run r =
        new Run(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    assertEquals(0, r.exit(), example.getSimpleName() + " failed:\n" + r.out() + r.err());
    return r;
  }

  private static List<String> lines(String out) {
    return out.lines().toList();
  }

  @Test
  void processJoin_threeWorkersStartSleepEnd_thenJoined(SpoolTestEnv env) throws Exception {
    long t0 = System.nanoTime();
    List<String> out = lines(run(env, ProcessJoin.class).out());
    for (int n = 0; n < 3; n++) {
      int start = indexOfPrefix(out, "worker " + n + " start");
      int end = out.indexOf("worker " + n + " end");
      assertTrue(start >= 0 && end > start, "worker " + n + " started then ended: " + out);
    }
    assertEquals("joined all 3 workers", out.getLast());
    assertTrue(System.nanoTime() - t0 >= 2_000_000_000L, "the workers slept 2 s");
  }

  @Test
  void poolMap_printsTheSquaresInOrder(SpoolTestEnv env) throws Exception {
    env.track(env.workQueue("tasks"));
    assertEquals("[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", run(env, PoolMap.class).out().strip());
  }

  @Test
  void queuePoisonPill_consumerPrintsZeroToFourThenStops(SpoolTestEnv env) throws Exception {
    env.track(env.topology().plainQueue("example-3"));
    assertEquals(
        List.of("got 0", "got 1", "got 2", "got 3", "got 4", "consumer: poison pill, stopping"),
        lines(run(env, QueuePoisonPill.class).out()));
  }

  @Test
  void pipePingPong_eachPingGetsItsPong(SpoolTestEnv env) throws Exception {
    env.track(env.topology().pipeQueue("example-4", "a"));
    env.track(env.topology().pipeQueue("example-4", "b"));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) expected.add("sent ping " + i + ", got pong " + i);
    assertEquals(expected, lines(run(env, PipePingPong.class).out()));
  }

  @Test
  void managerDictList_fourProcessesWroteTheSharedDictAndList(SpoolTestEnv env) throws Exception {
    assertEquals(
        List.of("dict {0=0, 1=1, 2=4, 3=9}", "list [0, 1, 2, 3]"),
        lines(run(env, ManagerDictList.class).out()));
  }

  @Test
  void lockTurns_twoProcessesInTurn_neverOverlapping(SpoolTestEnv env) throws Exception {
    List<String> out = lines(run(env, LockTurns.class).out());
    assertEquals("6 turns, none overlapped", out.getLast());
    assertEquals(13, out.size(), out.toString());
    for (int i = 0; i < 12; i += 2) {
      assertTrue(Pattern.matches("[AB] in", out.get(i)), out.toString());
      assertEquals(out.get(i).replace(" in", " out"), out.get(i + 1), out.toString());
    }
  }

  @Test
  void deadlock_multiLockRunsClean_nestedLocksEndInALockTimeoutNamingTheHolder(SpoolTestEnv env)
      throws Exception {
    String out = run(env, Deadlock.class).out();
    assertTrue(out.contains("P1 holds a and b") && out.contains("P2 holds a and b"), out);
    assertTrue(out.contains("multi-lock: clean run"), out);
    assertTrue(out.contains("nested locks: the deadlock ended in a lock timeout, not a hang"), out);
    assertTrue(
        Pattern.compile("P[12]: .*lock '[ab]'.*held by", Pattern.DOTALL).matcher(out).find(), out);
  }

  private static int indexOfPrefix(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
    return -1;
  }
}
