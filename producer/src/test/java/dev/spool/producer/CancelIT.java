package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.core.TaskCancelledException;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancel by id against consumer processes: a queued task (prefetched or not) never runs, a running
 * one is interrupted and ends as cancelled, whoever waits gets a {@link TaskCancelledException}, a
 * cancel outlives the consumers, and a map cancels what it has not finished.
 */
@ExtendWith(SpoolServicesExtension.class)
final class CancelIT {
  private static final Duration LONG = Duration.ofMinutes(2);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void cancel_queuedNeverRun_runningIsInterrupted_waitersGetTaskCancelledException(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    // One worker: the long task runs, the others wait behind it, prefetched by the consumer.
    procs.startConsumers(1, true, "--concurrency", "1");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      CompletableFuture<Long> running =
          pool.applyAsync(
              "mark", new Mark(0, 60_000), Long.class, TaskOptions.defaults().withId("long-0"));
      await().atMost(LONG).until(() -> runs.get(0L).isPresent());
      Map<Long, CompletableFuture<Long>> queued = new java.util.TreeMap<>();
      for (long i = 1; i <= 20; i++) {
        queued.put(
            i,
            pool.applyAsync(
                "mark", new Mark(i, 0), Long.class, TaskOptions.defaults().withId("q-" + i)));
      }
      List<String> cancel = new ArrayList<>(List.of("long-0"));
      for (long i = 2; i <= 20; i += 2) cancel.add("q-" + i);
      long start = System.nanoTime();
      assertEquals(
          0, pool.admin().cancel(cancel, Duration.ofMinutes(10)), "none was a delayed task");

      ExecutionException e =
          assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
      long cancelMs = (System.nanoTime() - start) / 1_000_000;
      assertInstanceOf(TaskCancelledException.class, e.getCause(), e.getCause().toString());
      assertTrue(e.getCause().getMessage().contains("while it ran"), e.getCause().getMessage());
      for (var q : queued.entrySet()) {
        if (q.getKey() % 2 == 0) {
          ExecutionException c =
              assertThrows(ExecutionException.class, () -> q.getValue().get(1, TimeUnit.MINUTES));
          assertInstanceOf(TaskCancelledException.class, c.getCause());
          assertTrue(c.getCause().getMessage().contains("before it started"));
        } else {
          assertEquals(q.getKey(), q.getValue().get(1, TimeUnit.MINUTES));
        }
      }
      Set<Long> ran = new TreeSet<>(runs.entries().keySet());
      Set<Long> expected = new TreeSet<>(Set.of(0L, 1L, 3L, 5L, 7L, 9L, 11L, 13L, 15L, 17L, 19L));
      assertEquals(expected, ran, "the cancelled queued tasks never ran");
      System.out.printf(
          "a running task cancelled: its caller got TaskCancelledException %d ms after cancel%n",
          cancelMs);
    }
  }

  @Test
  void cancel_outlivesTheConsumers_aConsumerStartedLaterDoesNotRunIt_fromTheCommandLine(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      List<String> ids = new ArrayList<>();
      for (long i = 0; i < 10; i++) {
        ids.add(pool.submit("mark", new Mark(i, 0), TaskOptions.defaults()));
      }
      SpoolProcesses.Run cli = procs.runProducer("cancel", ids.get(0), ids.get(1), "--keep", "10m");
      assertEquals(0, cli.exit(), cli.stderr());
      assertTrue(cli.stdout().contains(ids.get(0) + " cancelled"), cli.stdout());
      assertEquals(0, pool.admin().cancel(List.of(ids.get(2)), Duration.ofMinutes(10)));

      procs.startConsumers(1, true); // after the cancels: it reads them from Redis
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      await().atMost(LONG).until(() -> runs.size() == 7);
      Thread.sleep(1000); // a cancelled task would have run by now
      assertEquals(
          LongStream.range(3, 10).boxed().toList(),
          List.copyOf(new TreeSet<>(runs.entries().keySet())));
      await()
          .atMost(LONG)
          .until(
              () ->
                  procs.read("consumer-0.err").split("cancelled before it started", -1).length
                      == 4);
    }
  }

  @Test
  void cancel_aBadIdAmongGoodOnes_storesNothing_andAnEndedTaskIsSaidToHaveEnded(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true);
    String cancelled = env.namespace() + ":set:cancelled";
    for (String[] args :
        List.of(
            new String[] {"cancel", "good-1", "bad id!"},
            new String[] {"cancel", "bad id!", "good-1"},
            new String[] {"cancel", "good-1", "y".repeat(10_240)})) {
      SpoolProcesses.Run bad = procs.runProducer(args);
      assertEquals(2, bad.exit(), bad.stderr());
      assertTrue(bad.stderr().contains("task id"), bad.stderr());
      try (var jedis = env.jedis()) {
        assertEquals(0, jedis.exists(cancelled) ? jedis.zcard(cancelled) : 0L, "nothing stored");
      }
    }
    try (TaskPool pool = SpoolProcesses.pool(env, LONG)) {
      String done =
          pool.submit(
              "mark", new Mark(7, 0), TaskOptions.defaults().withKeepResult(Duration.ofMinutes(5)));
      await().atMost(LONG).until(() -> pool.result(done).state() == TaskState.SUCCEEDED);
      SpoolProcesses.Run run = procs.runProducer("cancel", done, "unknown-9");
      assertEquals(1, run.exit(), run.stdout() + run.stderr());
      assertEquals(
          done
              + " already ended, not cancelled\n"
              + "unknown-9 cancelled if queued or running (no record of it: its result is not"
              + " kept)\n",
          run.stdout());
    }
    assertEquals(0, procs.runProducer("stop").exit());
  }

  @Test
  void consumerKilledHoldingACancelledTask_theNextOneDoesNotRunIt(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process first = procs.startConsumers(1, true, "--concurrency", "1").getFirst();
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      pool.submit("mark", new Mark(0, 3000), TaskOptions.defaults()); // runs 3 s
      String held =
          pool.submit("mark", new Mark(1, 0), TaskOptions.defaults().withId("held-and-cancelled"));
      await().atMost(LONG).until(() -> runs.get(0L).isPresent());
      assertTrue(runs.get(1L).isEmpty(), "the second waits behind the running one");
      assertEquals(0, pool.admin().cancel(List.of(held), Duration.ofMinutes(10)));
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: both go back to the queue

      procs.startConsumer("consumer-1", true, Map.of(), "--concurrency", "1");
      await().atMost(LONG).until(() -> runs.get(0L).orElse(0L) == 2L); // the first ran again
      await()
          .atMost(LONG)
          .until(() -> procs.read("consumer-1.err").contains("cancelled before it started"));
      assertTrue(runs.get(1L).isEmpty(), "the cancelled task never ran");
    }
  }

  @Test
  void imapCancel_cancelsWhatIsNotFinished_andTheConsumersCarryOn(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true, "--concurrency", "2");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      List<Mark> inputs = LongStream.range(0, 400).mapToObj(i -> new Mark(i, 300)).toList();
      long cancelled;
      try (MapResults<Long> results =
          pool.imap("mark", inputs, Long.class, MapOptions.defaults().withChunksize(1))) {
        for (int i = 0; i < 8; i++) results.next();
        cancelled = results.cancel();
        assertTrue(!results.hasNext(), "a cancelled map has no more results");
      }
      assertTrue(cancelled >= 380, "cancelled " + cancelled);
      long afterCancel = runs.size();
      Thread.sleep(2000); // long enough for a few more 300 ms tasks on 4 workers, were they run
      long later = runs.size();
      assertTrue(
          later <= afterCancel + 8 && later <= 30,
          "runs went from " + afterCancel + " to " + later + " after the cancel");
      // The consumers are free: a new task runs at once.
      assertEquals(-1L, pool.apply("mark", new Mark(-1, 0), Long.class, Duration.ofSeconds(30)));
      System.out.printf(
          "map of 400 cancelled after 8 results: %d tasks cancelled, %d ran in all%n",
          cancelled, later);
    }
  }
}
