package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.LockLease;
import dev.spool.core.SpoolConfig;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import dev.spool.testing.services.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Locks and shared state across real consumer processes, including SIGKILL and SIGSTOP. */
@ExtendWith(SpoolServicesExtension.class)
final class SharedStateProcessesIT {
  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  /** One hold interval as the locked-increment task records it. */
  record Interval(long fencingToken, long startMicros, long endMicros, String worker) {}

  @Test
  void lockedIncrement_1000Tasks4Processes_exactly1To1000AndHoldsNeverOverlap(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true);
    try (TaskPool pool = TestSpools.pool(env.config());
        RedisState state = env.sharedState()) {
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

  /**
   * Redis restarted without persistence while locked-increment tasks run across processes: no value
   * is returned twice (the count would start again at 1), every task ends (a value, or an error
   * saying the state was lost), and locks are refused until an operator accepts the loss.
   */
  @Test
  void redisRestartedEmpty_midLockedIncrements_noValueTwice_locksRefusedUntilTheLossIsAccepted(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    RedisProcess redis = RedisProcess.start(dir);
    int port = redis.port();
    String uri = redis.uri();
    try {
      SpoolConfig config = env.config().toBuilder().redisUri(uri).build();
      Map<String, String> privateRedis = Map.of("SPOOL_REDIS_URI", uri);
      for (int i = 0; i < 2; i++) {
        procs.startConsumer(
            "consumer-" + i, false, privateRedis, "--max-attempts", "2", "--retry-delay", "100ms");
      }
      int n = 600;
      List<Long> values = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      try (TaskPool pool = TestSpools.pool(config)) {
        List<CompletableFuture<Long>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          calls.add(
              pool.applyAsync("locked-increment", Map.of(), Long.class, Duration.ofMinutes(3)));
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> calls.stream().filter(CompletableFuture::isDone).count() >= 100);
        redis.kill(); // kill -9, and nothing was kept on disk
        redis = RedisProcess.start(port, dir);
        for (CompletableFuture<Long> c : calls) {
          try {
            values.add(c.get(3, TimeUnit.MINUTES));
          } catch (ExecutionException e) {
            errors.add(String.valueOf(e.getCause().getMessage()));
          }
        }
      }
      assertEquals(n, values.size() + errors.size(), "every task ended");
      assertEquals(values.size(), new HashSet<>(values).size(), "a value returned twice");
      assertTrue(values.size() >= 100, values.size() + " values before the loss");
      assertFalse(errors.isEmpty(), "tasks after the loss were refused their lock");
      for (String e : errors) assertTrue(e.contains("state accept-loss"), e);

      SpoolProcesses.Run check = procs.run(withRedis(procs.producer("state", "check"), uri), "c1");
      assertEquals(1, check.exit(), check.stderr());
      assertTrue(check.stdout().startsWith("shared state lost"), check.stdout());
      SpoolProcesses.Run accept =
          procs.run(withRedis(procs.producer("state", "accept-loss"), uri), "accept");
      assertEquals(0, accept.exit(), accept.stderr());
      assertTrue(accept.stdout().startsWith("accepted the loss"), accept.stdout());
      SpoolProcesses.Run ok = procs.run(withRedis(procs.producer("state", "check"), uri), "c2");
      assertEquals(0, ok.exit(), ok.stderr());
      try (TaskPool pool = TestSpools.pool(config)) {
        // The consumers that saw the lost epoch take the new one; the count starts again.
        assertEquals(1L, pool.apply("locked-increment", Map.of(), Long.class));
      }
    } finally {
      redis.close();
    }
  }

  private static ProcessBuilder withRedis(ProcessBuilder pb, String uri) {
    pb.environment().put("SPOOL_REDIS_URI", uri);
    return pb;
  }

  @Test
  void holderKilled_anotherProcessAcquiresWithinLeasePlusBound(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process holder = procs.startConsumers(1, true).getFirst();
    try (TaskPool pool = TestSpools.pool(env.config());
        RedisState state = env.sharedState()) {
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
  void multiLock_oppositeOrdersAcrossProcesses_neverDeadlock(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true);
    try (TaskPool pool = TestSpools.pool(env.config())) {
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
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true);
    try (TaskPool pool = TestSpools.pool(env.config())) {
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

}
