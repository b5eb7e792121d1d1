package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.core.TaskFailedException;
import dev.spool.state.LockLease;
import dev.spool.state.SharedDict;
import dev.spool.state.SharedState;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Locks and shared state across real consumer processes, including SIGKILL and SIGSTOP. */
@ExtendWith(SpoolServicesExtension.class)
final class SharedStateProcessesIT {
  private final List<Process> started = new ArrayList<>();
  private Path logs;

  @AfterEach
  void killLeftovers() throws Exception {
    for (Process p : started) {
      signal(p, "CONT");
      p.destroyForcibly();
    }
  }

  /** One hold interval as the locked-increment task records it. */
  record Interval(long fencingToken, long startMicros, long endMicros, String worker) {}

  @Test
  void lockedIncrement_1000Tasks4Processes_exactly1To1000AndHoldsNeverOverlap(
      SpoolTestEnv env, TestInfo info) throws Exception {
    logs = logDir(info);
    startConsumers(env, 4);
    try (TaskPool pool = TaskPool.create(env.config());
        SharedState state = state(env)) {
      List<Map<String, Boolean>> inputs = Collections.nCopies(1000, Map.of("record", true));
      List<Long> results =
          new ArrayList<>(
              pool.map(
                  "locked-increment",
                  inputs,
                  Long.class,
                  new MapOptions(1, Duration.ofMinutes(5))));
      Collections.sort(results);
      assertEquals(
          LongStream.rangeClosed(1, 1000).boxed().toList(),
          results,
          "a lost update repeats a number");
      assertEquals(4, pool.stats().inputsByWorker().size(), "all four processes took part");

      List<Interval> holds =
          new ArrayList<>(state.list("locked-increment-intervals", Interval.class).range(0, 1000));
      assertEquals(1000, holds.size());
      holds.sort(Comparator.comparingLong(Interval::startMicros));
      for (int i = 1; i < holds.size(); i++) {
        Interval a = holds.get(i - 1);
        Interval b = holds.get(i);
        assertTrue(a.endMicros() <= b.startMicros(), "overlapping holds: " + a + " and " + b);
        assertTrue(a.fencingToken() < b.fencingToken(), "fencing tokens grow: " + a + ", " + b);
      }
    }
  }

  @Test
  void holderKilled_anotherProcessAcquiresWithinLeasePlusBound(SpoolTestEnv env, TestInfo info)
      throws Exception {
    logs = logDir(info);
    Process holder = startConsumers(env, 1).getFirst();
    try (TaskPool pool = TaskPool.create(env.config());
        SharedState state = state(env)) {
      pool.applyAsync("lock-hold", new ChaosTasks.Hold("victim", 3000, 60_000), Long.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> state.lock("victim").holder().isPresent());

      holder.destroyForcibly(); // SIGKILL: it never releases
      long killed = System.nanoTime();
      try (LockLease mine =
          state.lock("victim").acquire(Duration.ofSeconds(10), Duration.ofSeconds(30))) {
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(
            waitedMs <= 3000 + 2000, "acquired " + waitedMs + " ms after the kill; lease 3000 ms");
        assertTrue(mine.isHeld());
      }
    }
  }

  @Test
  void holderPausedPastLease_itsFencedWriteIsRefusedAndReleaseLeavesNewLock(
      SpoolTestEnv env, TestInfo info) throws Exception {
    logs = logDir(info);
    Process holder = startConsumers(env, 1).getFirst();
    try (TaskPool pool = TaskPool.create(env.config());
        SharedState state = state(env)) {
      CompletableFuture<String> stale =
          pool.applyAsync(
              "fenced-write",
              new ChaosTasks.FencedWrite("paused", 1500, 1000, "ledger", "k", "stale"),
              String.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> state.lock("paused").holder().isPresent());

      signal(holder, "STOP"); // paused while holding, before its write
      await().atMost(Duration.ofSeconds(10)).until(() -> state.lock("paused").holder().isEmpty());
      SharedDict<String, String> ledger = state.dict("ledger", String.class, String.class);
      try (LockLease mine =
          state.lock("paused").acquire(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
        ledger.put("k", "fresh", mine);
        signal(holder, "CONT");

        ExecutionException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> stale.get(1, TimeUnit.MINUTES));
        TaskFailedException failed = assertInstanceOf(TaskFailedException.class, e.getCause());
        assertEquals("dev.spool.state.LockLostException", failed.remote().type());
        assertEquals(Optional.of("fresh"), ledger.get("k"), "0 stale writes accepted");
        assertTrue(mine.isHeld(), "the old holder's release left our lock alone");
      }
    }
  }

  @Test
  void multiLock_oppositeOrdersAcrossProcesses_neverDeadlock(SpoolTestEnv env, TestInfo info)
      throws Exception {
    logs = logDir(info);
    startConsumers(env, 2);
    try (TaskPool pool = TaskPool.create(env.config())) {
      List<ChaosTasks.Multi> work = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        work.add(new ChaosTasks.Multi(i % 2 == 0 ? List.of("a", "b") : List.of("b", "a"), 20));
      }
      List<Integer> done =
          pool.map("multi-lock", work, Integer.class, new MapOptions(1, Duration.ofMinutes(2)));
      assertEquals(Collections.nCopies(8, 20), done);
    }
  }

  @Test
  void wordcount_acrossProcesses_countsIntoSharedDict(SpoolTestEnv env, TestInfo info)
      throws Exception {
    logs = logDir(info);
    startConsumers(env, 2);
    try (TaskPool pool = TaskPool.create(env.config())) {
      List<String> texts = Collections.nCopies(40, "the cat and the hat");
      List<Long> words = pool.map("wordcount", texts, Long.class, new MapOptions(1, null));
      assertEquals(Collections.nCopies(40, 5L), words);
      JsonNode top = pool.apply("wordcount-top", 2, JsonNode.class);
      assertEquals("the", top.get(0).get("word").asText());
      assertEquals(80, top.get(0).get("count").asLong());
      assertEquals(40, top.get(1).get("count").asLong());
    }
  }

  // ---- helpers ----

  private static SharedState state(SpoolTestEnv env) {
    return SharedState.connect(
        SharedStateConfig.builder()
            .redisUri(env.config().redisUri().toString())
            .namespace(env.namespace())
            .build());
  }

  private List<Process> startConsumers(SpoolTestEnv env, int n) throws Exception {
    String jar = System.getProperty("spool.consumer.jar");
    String tasks = System.getProperty("spool.test.classes");
    assertTrue(jar != null && new File(jar).isFile(), "built jar missing: " + jar);
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ProcessBuilder pb =
          new ProcessBuilder(
              ProcessHandle.current().info().command().orElse("java"),
              "-cp",
              jar + File.pathSeparator + tasks,
              "dev.spool.consumer.cli.ConsumerMain",
              "--concurrency",
              "4");
      pb.environment().put("SPOOL_AMQP_URI", env.config().amqpUri().toString());
      pb.environment().put("SPOOL_REDIS_URI", env.config().redisUri().toString());
      pb.environment().put("SPOOL_NAMESPACE", env.namespace());
      pb.redirectOutput(logs.resolve("consumer-" + i + ".out").toFile());
      pb.redirectError(logs.resolve("consumer-" + i + ".err").toFile());
      Process p = pb.start();
      started.add(p);
      ps.add(p);
    }
    env.topology().declareWorkQueue(env.connection().createChannel(), "tasks");
    String queue = env.workQueue("tasks");
    await().atMost(Duration.ofSeconds(60)).until(() -> allAlive(ps) && consumers(env, queue) == n);
    return ps;
  }

  /** Fails at once, with its log, when a consumer process died instead of attaching. */
  private boolean allAlive(List<Process> ps) throws IOException {
    for (int i = 0; i < ps.size(); i++) {
      if (!ps.get(i).isAlive()) {
        throw new AssertionError(
            "consumer-"
                + i
                + " exited "
                + ps.get(i).exitValue()
                + ":\n"
                + Files.readString(logs.resolve("consumer-" + i + ".err")));
      }
    }
    return true;
  }

  private static long consumers(SpoolTestEnv env, String queue) throws Exception {
    try (var ch = env.connection().createChannel()) {
      return ch.queueDeclarePassive(queue).getConsumerCount();
    }
  }

  private static void signal(Process p, String sig) throws Exception {
    if (p.isAlive()) {
      new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
    }
  }

  private static Path logDir(TestInfo info) throws IOException {
    Path dir =
        Path.of(System.getProperty("spool.e2e.logs", "target/e2e-logs"))
            .resolve(info.getTestMethod().orElseThrow().getName());
    Files.createDirectories(dir);
    return dir;
  }
}
