package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.spool.SharedDict;
import dev.spool.core.TaskCancelledException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.TaskMessage;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Results by id against real processes: a submitter exits and another process reads the result; a
 * kept task runs after the pool that sent it closed; failures, retries, dead letters and cancels
 * are recorded; a task delivered twice runs once and keeps its first result.
 */
@ExtendWith(SpoolServicesExtension.class)
final class KeptResultsIT {
  private static final Duration LONG = Duration.ofMinutes(2);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void aSubmitterExits_andAnotherProcessReadsTheResult(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    // Submitted while no consumer runs: the producer process has exited long before the task runs.
    SpoolProcesses.Run submit =
        procs.runProducer("apply", "square", "--input", "7", "--no-wait", "--keep-result", "1h");
    assertEquals(0, submit.exit(), submit.stderr());
    String id = submit.stdout().trim();
    assertTrue(id.matches("[0-9a-f-]{36}"), "an id: " + submit.stdout());

    SpoolProcesses.Run early = procs.run(procs.producer("result", id), "result-early");
    assertEquals(3, early.exit(), "not ended yet: " + early.stdout() + early.stderr());
    assertTrue(early.stdout().contains(id + " pending (square)"), early.stdout());

    procs.startConsumers(1, false);
    SpoolProcesses.Run read =
        procs.run(procs.producer("result", id, "--wait", "60s"), "result-wait");
    assertEquals(0, read.exit(), read.stderr());
    assertEquals("49", read.stdout().trim());

    try (Spool spool = Spool.connect(env.config())) {
      TaskStatus s = spool.result(id).status();
      assertEquals(TaskState.SUCCEEDED, s.state());
      assertEquals("square", s.name());
      assertEquals(1, s.attempts());
      assertNotNull(s.worker());
      assertTrue(!s.finished().isBefore(s.started()) && !s.started().isBefore(s.submitted()));
      assertTrue(s.keptFor().compareTo(Duration.ofHours(1)) <= 0, "kept 1h: " + s.keptFor());
      assertEquals(49L, spool.result(id).get(Long.class, Duration.ZERO));
    }
    SpoolProcesses.Run json = procs.run(procs.producer("result", id, "--json"), "result-json");
    assertEquals(0, json.exit(), json.stderr());
    assertTrue(json.stdout().contains("\"state\":\"succeeded\""), json.stdout());
    assertTrue(json.stdout().contains("\"result\":49"), json.stdout());
    SpoolProcesses.Run status = procs.runProducer("status");
    assertEquals(0, status.exit(), status.stderr());
    assertTrue(
        status
            .stdout()
            .matches("(?s).*kept results: 1 task record\\(s\\), about \\d+(\\.\\d)? (B|KiB).*"),
        status.stdout());
  }

  @Test
  void aKeptTask_runsAfterThePoolThatSentItClosed(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String id = "closed-pool-1";
    try (TaskPool pool = SpoolProcesses.pool(env, LONG)) {
      CompletableFuture<Long> f =
          pool.applyAsync(
              "square",
              6,
              Long.class,
              TaskOptions.defaults().withId(id).withKeepResult(Duration.ofHours(1)));
      // applyAsync writes the record while it publishes: it is there a moment later.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pool.result(id).state() == TaskState.PENDING);
      assertTrue(!f.isDone());
    } // the pool's reply queue is deleted: nobody can receive the result by message any more
    procs.startConsumers(1, false);
    try (Spool spool = Spool.connect(env.config())) {
      assertEquals(36L, spool.result(id).get(Long.class, LONG));
    }
  }

  @Test
  void failuresRetriesDeadLettersAndCancels_areRecorded(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, false, "--retry", "fail=3/100ms");
    TaskOptions kept = TaskOptions.defaults().withKeepResult(Duration.ofHours(1));
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config())) {
      String failing = pool.submit("fail", "boom", kept);
      String unknown = pool.submit("no-such-task", 1, kept);
      String delayed = pool.submit("square", 2, kept.withCountdown(Duration.ofHours(1)));
      assertEquals(TaskState.SCHEDULED, spool.result(delayed).state());

      TaskStatus failed = spool.result(failing).await(LONG);
      assertEquals(TaskState.FAILED, failed.state());
      assertEquals(3, failed.attempts(), "every attempt counted");
      assertTrue(failed.error().messageOrEmpty().contains("boom"), failed.error().toString());
      TaskFailedException e =
          assertThrows(
              TaskFailedException.class,
              () -> spool.result(failing).get(String.class, Duration.ZERO));
      assertTrue(e.getMessage().contains("boom"), e.getMessage());

      assertEquals(TaskState.DEAD, spool.result(unknown).await(LONG).state());

      assertTrue(pool.admin().cancel(delayed), "a delayed task, removed");
      assertEquals(TaskState.CANCELLED, spool.result(delayed).state());
      assertThrows(
          TaskCancelledException.class, () -> spool.result(delayed).get(Long.class, Duration.ZERO));

      SpoolProcesses.Run r = procs.run(procs.producer("result", failing), "result-failed");
      assertEquals(1, r.exit());
      assertTrue(r.stderr().contains("boom"), r.stderr());
      SpoolProcesses.Run none = procs.run(procs.producer("result", "never-sent"), "result-none");
      assertEquals(1, none.exit());
      assertTrue(none.stderr().contains("no record of task never-sent"), none.stderr());
      assertEquals(TaskState.UNKNOWN, spool.result("never-sent").state());
    }
  }

  @Test
  void aResultTooLargeToKeep_failsTheTask_sayingWhy_whileTheSameResultUnkeptPasses(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true);
    int twoMiB = 2 << 20; // under the 4 MiB message limit, over the 1 MiB a record keeps
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config())) {
      String id =
          pool.submit(
              "text-of", twoMiB, TaskOptions.defaults().withKeepResult(Duration.ofHours(1)));
      TaskStatus s = spool.result(id).await(LONG);
      assertEquals(TaskState.FAILED, s.state());
      assertTrue(
          s.error().messageOrEmpty().contains("over the limit of 1048576 bytes for a kept result"),
          s.error().toString());
      assertEquals(1, s.attempts(), "not retried: it would fail the same way");
      assertEquals(twoMiB, pool.apply("text-of", twoMiB, String.class).length());
    }
  }

  @Test
  void aTaskDeliveredTwice_runsOnce_andKeepsItsFirstResult(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config());
        RedisState state = env.sharedState()) {
      String id =
          pool.submit(
              "mark",
              new Mark(1, 0),
              TaskOptions.defaults().withId("twice-1").withKeepResult(Duration.ofHours(1)));
      assertEquals(1L, spool.result(id).get(Long.class, LONG));
      // The same task again, as the broker redelivers one whose consumer died before its ack.
      byte[] body = "{\"n\":1,\"ms\":0}".getBytes(StandardCharsets.UTF_8);
      TaskMessage m = new TaskMessage(id, "mark", null, 1, 0, 0, null, "test", body);
      Map<String, Object> h = new HashMap<>(m.toProperties().getHeaders());
      h.put(Headers.KEEP_RESULT, Duration.ofHours(1).toMillis());
      AMQP.BasicProperties props = m.toProperties().builder().headers(h).build();
      try (Channel ch = env.connection().createChannel()) {
        ch.basicPublish("", env.workQueue("tasks"), props, body);
      }
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      await().atMost(LONG).until(() -> procs.read("consumer-0.err").contains("not run again"));
      assertEquals(1L, runs.get(1L).orElseThrow(), "ran once");
      TaskStatus s = spool.result(id).status();
      assertEquals(TaskState.SUCCEEDED, s.state());
      assertEquals("1", s.resultJson());
    }
  }

  @Test
  void progressFromInsideATask_isVisibleWhileItRuns(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config())) {
      String id =
          pool.submit("steps", 10_000L, TaskOptions.defaults().withKeepResult(Duration.ofHours(1)));
      AsyncResult r = spool.result(id);
      java.util.List<TaskStatus.Progress> seen = new java.util.ArrayList<>();
      await()
          .atMost(LONG)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                TaskStatus s = r.status();
                if (s.progress() != null) seen.add(s.progress());
                return s.state().ended()
                    || seen.stream().map(TaskStatus.Progress::done).distinct().count() >= 3;
              });
      assertTrue(seen.size() >= 2, "reports seen while it ran: " + seen);
      TaskStatus.Progress first = seen.getFirst();
      TaskStatus.Progress last = seen.getLast();
      assertEquals(10_000, first.total());
      assertEquals("step " + first.done(), first.message());
      assertTrue(last.done() > first.done(), "it moved on: " + seen);
      // About 11 s of steps: the commands below run while it does.
      SpoolProcesses.Run line = procs.run(procs.producer("result", id), "result-running");
      assertEquals(3, line.exit(), line.stdout() + line.stderr());
      assertTrue(
          line.stdout().matches("(?s).*started.*progress \\d+/10000 step \\d+.*"), line.stdout());
      SpoolProcesses.Run status = procs.runProducer("status");
      assertTrue(
          status
              .stdout()
              .matches("(?s).*IN PROGRESS.*" + id + " +steps +[\\d,]+/10,000 +step \\d+ on .*"),
          status.stdout());
      assertEquals(10_000L, r.get(Long.class, LONG));
    }
  }
}
