package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.state.LockLease;
import dev.spool.state.SharedState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

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
    try (TaskPool pool = TaskPool.create(env.config());
        SharedState state = env.sharedState()) {
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
    procs = SpoolProcesses.forTest(env, info);
    Process holder = procs.startConsumers(1, true).getFirst();
    try (TaskPool pool = TaskPool.create(env.config());
        SharedState state = env.sharedState()) {
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
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true);
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

}
